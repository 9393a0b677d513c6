using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Telemetry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Webhooks;

/// <summary>
/// Moves published events from memory into the outbox: serializes each body once (the bytes every attempt
/// signs and sends) and stores it with one job per enabled endpoint that subscribes to its type. While the
/// store is unreachable it holds the event and retries; the channel in front of it then fills and
/// <see cref="WebhookPublisher"/> drops and counts. On shutdown it drains what was queued, one try each.
/// </summary>
internal sealed partial class WebhookOutboxWriter(
    WebhookPublisher publisher,
    WebhookEndpointCache endpoints,
    WebhookStore store,
    WebhookDispatcher dispatcher,
    GatewayMetrics metrics,
    ILogger<WebhookOutboxWriter> logger) : BackgroundService
{
    private const int WriteBatch = 64;

    private static readonly TimeSpan StoreRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>The exact bytes of <c>{"type": …, "timestamp": …, "data": …}</c>.</summary>
    public static byte[] Serialize(string type, DateTimeOffset timestamp, JsonObject data)
    {
        var payload = new JsonObject
        {
            ["type"] = type,
            ["timestamp"] = timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["data"] = data.Parent is null ? data : data.DeepClone(),
        };
        return JsonSerializer.SerializeToUtf8Bytes(payload, WebhookJsonContext.Default.JsonObject);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        publisher.Complete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await endpoints.FirstRead.WaitAsync(stoppingToken).ConfigureAwait(false);

        // Not ReadAllAsync(stoppingToken): after the stop the loop keeps reading until the channel is empty.
        // Up to WriteBatch events go into one script call: under load, one call per download cost Redis
        // several times the CPU of the download's own lookup. Events were never ordered (receivers order
        // by timestamp).
        var batch = new List<OutboxEvent>(WriteBatch);
        while (await publisher.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (batch.Count < WriteBatch && publisher.Reader.TryRead(out var pending))
            {
                if (ToOutboxEvent(pending) is { } outboxEvent)
                {
                    batch.Add(outboxEvent);
                }
            }

            if (batch.Count > 0)
            {
                await WriteAsync(batch, stoppingToken).ConfigureAwait(false);
                batch.Clear();
            }
        }
    }

    /// <summary>The event's body and the enabled endpoints that subscribe to its type; null when none does.</summary>
    private OutboxEvent? ToOutboxEvent(PendingWebhookEvent pending)
    {
        List<string>? targets = null;
        foreach (var endpoint in endpoints.Endpoints)
        {
            if (endpoint.Enabled && endpoint.Subscribes(pending.Type))
            {
                (targets ??= []).Add(endpoint.Id);
            }
        }

        return targets is null
            ? null
            : new OutboxEvent(WebhookStore.NewEventId(), pending.Type, Serialize(pending.Type, pending.Timestamp, pending.Data), targets, pending.Timestamp);
    }

    /// <summary>Stores the batch, retrying while the store is unreachable; once stopping, one more try and then the batch is dropped.</summary>
    private async Task WriteAsync(List<OutboxEvent> batch, CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                var results = await store.EnqueueAsync(batch).ConfigureAwait(false);
                foreach (var result in results)
                {
                    if (result == WebhookStore.BacklogFull)
                    {
                        metrics.WebhookDropped("backlog_full");
                    }
                }

                dispatcher.Wake();
                return;
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                if (stoppingToken.IsCancellationRequested)
                {
                    foreach (var dropped in batch)
                    {
                        metrics.WebhookDropped("store_unavailable");
                        Log.DroppedAtShutdown(logger, dropped.Type, ex);
                    }

                    return;
                }

                Log.StoreFailed(logger, ex);
                try
                {
                    await Task.Delay(StoreRetryDelay, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: one more try above, then the batch is dropped.
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7011, Level = LogLevel.Warning, Message = "Could not write a webhook event to the outbox; retrying")]
        public static partial void StoreFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 7012, Level = LogLevel.Error, Message = "Dropped a {Type} webhook event at shutdown: the store is unreachable")]
        public static partial void DroppedAtShutdown(ILogger logger, string type, Exception exception);
    }
}
