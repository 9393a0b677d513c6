using System.Globalization;
using System.Security.Claims;
using Gateway.Admin;
using Gateway.Telemetry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Webhooks;

/// <summary>
/// Claims due jobs from the outbox (with a lease, so across replicas each job is attempted by one) and
/// delivers them, at most <see cref="WebhookOptions.MaxConcurrentDeliveries"/> at a time, in no particular
/// order. A failure is retried after the backoff with jitter until <see cref="WebhookOptions.RetryFor"/> has
/// passed since the event; an endpoint that fails without a break for <see cref="WebhookOptions.DisableAfter"/>
/// is disabled. Runs beside the download path, never on it.
/// </summary>
internal sealed partial class WebhookDispatcher : BackgroundService
{
    /// <summary>The actor of the audit entries the gateway writes itself.</summary>
    private static readonly ClaimsPrincipal GatewayActor = new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "gateway")], "gateway"));

    private readonly WebhookStore _store;
    private readonly WebhookSender _sender;
    private readonly AuditLog _audit;
    private readonly WebhookEndpointCache _endpoints;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly WebhookOptions _options;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly SemaphoreSlim _wake = new(0);
    private int _inFlight;
    private long _backlog;

    public WebhookDispatcher(
        WebhookStore store,
        WebhookSender sender,
        AuditLog audit,
        WebhookEndpointCache endpoints,
        GatewayMetrics metrics,
        TimeProvider time,
        IOptions<WebhookOptions> options,
        ILogger<WebhookDispatcher> logger)
    {
        _store = store;
        _sender = sender;
        _audit = audit;
        _endpoints = endpoints;
        _metrics = metrics;
        _time = time;
        _options = options.Value;
        _logger = logger;
        metrics.ObserveWebhookBacklog(() => Volatile.Read(ref _backlog));
    }

    /// <summary>Looks for due jobs now rather than at the next poll (new jobs were stored, or a slot freed).</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>The delay before retry number <paramref name="attempts"/> + 1, with ±20 % jitter so failed receivers are not hit in waves.</summary>
    public static TimeSpan Backoff(IReadOnlyList<TimeSpan> schedule, int attempts)
    {
        var delay = schedule[Math.Min(Math.Max(attempts - 1, 0), schedule.Count - 1)];
        return delay * (0.8 + (Random.Shared.NextDouble() * 0.4));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new HashSet<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var free = _options.MaxConcurrentDeliveries - Volatile.Read(ref _inFlight);
                if (free > 0)
                {
                    var jobs = await _store.ClaimAsync(_time.GetUtcNow(), free).ConfigureAwait(false);
                    foreach (var job in jobs)
                    {
                        Interlocked.Increment(ref _inFlight);
                        var task = Task.Run(() => DeliverAsync(job, stoppingToken), CancellationToken.None);
                        lock (running)
                        {
                            running.Add(task);
                        }

                        _ = task.ContinueWith(
                            finished =>
                            {
                                lock (running)
                                {
                                    running.Remove(finished);
                                }

                                Interlocked.Decrement(ref _inFlight);
                                Wake();
                            },
                            CancellationToken.None,
                            TaskContinuationOptions.ExecuteSynchronously,
                            TaskScheduler.Default);
                    }
                }

                Volatile.Write(ref _backlog, await _store.BacklogAsync().ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                Log.ClaimFailed(_logger, ex);
            }

            try
            {
                await _wake.WaitAsync(_options.PollInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        Task[] remaining;
        lock (running)
        {
            remaining = [.. running];
        }

        // Cancelled attempts leave their jobs leased; they are retried when the lease ends (here or elsewhere).
        await Task.WhenAll(remaining).ConfigureAwait(false);
    }

    private async Task DeliverAsync(WebhookJob job, CancellationToken stoppingToken)
    {
        try
        {
            // Both reads in one round trip.
            var endpointRead = _store.GetAsync(job.EndpointId);
            var bodyRead = _store.GetEventBodyAsync(job.EventId);
            await Task.WhenAll(endpointRead, bodyRead).ConfigureAwait(false);
            var endpoint = endpointRead.Result;
            var body = bodyRead.Result;
            if (endpoint is not { Enabled: true } || body is null)
            {
                // The endpoint was deleted or disabled, or the event outlived its retention: nothing left to send.
                await _store.CompleteAsync(job).ConfigureAwait(false);
                _metrics.WebhookDelivery("failed");
                return;
            }

            var outcome = await _sender.SendAsync(endpoint, job.EventId, body, stoppingToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            var (result, retryAt) = outcome.Succeeded
                ? ("delivered", (DateTimeOffset?)null)
                : now - DateTimeOffset.FromUnixTimeMilliseconds(job.FirstEnqueuedMs) >= _options.RetryFor
                    ? ("failed", null)
                    : ("retrying", now + Backoff(_options.EffectiveRetryBackoff, job.Attempts + 1));
            var attempt = new WebhookDeliveryAttempt(
                "dlv_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)),
                job.EventId,
                job.Type,
                job.Attempts + 1,
                result,
                outcome.StatusCode,
                outcome.Error,
                (long)outcome.Duration.TotalMilliseconds,
                now);
            var failingSince = await _store.SettleAttemptAsync(job, retryAt, attempt, outcome.Succeeded).ConfigureAwait(false);
            _metrics.WebhookDelivery(result == "retrying" ? "retried" : result);
            if (failingSince is { } since)
            {
                await DisableWhenFailingTooLongAsync(endpoint, since, now).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down mid-attempt: the lease runs out and the job is attempted again.
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            // The job stays leased and comes back when the lease ends.
            Log.SettleFailed(_logger, job.EndpointId, ex);
        }
    }

    private async Task DisableWhenFailingTooLongAsync(WebhookEndpoint endpoint, DateTimeOffset failingSince, DateTimeOffset now)
    {
        if (now - failingSince < _options.DisableAfter || !await _store.DisableAsync(endpoint.Id).ConfigureAwait(false))
        {
            return;
        }

        Log.Disabled(_logger, endpoint.Id, (now - failingSince).TotalHours);
        await _audit.RecordAsync(GatewayActor, WebhookAuditActions.Disable, null, null, null, new System.Text.Json.Nodes.JsonObject
        {
            ["webhook"] = endpoint.Id,
            ["url"] = endpoint.Url.OriginalString,
            ["failingSince"] = failingSince.ToString("O", CultureInfo.InvariantCulture),
        }).ConfigureAwait(false);
        await _endpoints.RefreshAsync().ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7021, Level = LogLevel.Warning, Message = "Could not claim webhook jobs from the outbox")]
        public static partial void ClaimFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 7022, Level = LogLevel.Warning, Message = "Could not settle a delivery to webhook {EndpointId}; it is retried when its lease ends")]
        public static partial void SettleFailed(ILogger logger, string endpointId, Exception exception);

        [LoggerMessage(EventId = 7023, Level = LogLevel.Warning, Message = "Disabled webhook {EndpointId}: every delivery failed for {Hours:0.#} h")]
        public static partial void Disabled(ILogger logger, string endpointId, double hours);
    }
}
