using Gateway.Links;
using Gateway.Metering;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Webhooks;

/// <summary>
/// Turns the download records of <see cref="DownloadEventQueue"/> into <c>download.completed</c> and
/// <c>download.aborted</c> events, off the request path.
/// </summary>
/// <remarks>
/// Threads: one background loop (this service's <see cref="ExecuteAsync"/>) takes up to
/// <see cref="MaxBatch"/> records at a time (the first waits <see cref="BatchLinger"/> for company), reads the tags of their links from the store in one
/// pipelined round trip (the download path reads links without tags), builds each event's data and
/// hands it to <see cref="IWebhookPublisher.Publish"/>, which only queues. Once every hosted service,
/// the web server included, has stopped, <see cref="StoppedAsync"/> publishes what is still queued.
/// </remarks>
internal sealed partial class DownloadEventWriter(
    DownloadEventQueue queue,
    IWebhookPublisher publisher,
    IConnectionMultiplexer redis,
    IOptions<WebhookOptions> options,
    ILogger<DownloadEventWriter> logger) : BackgroundService, IHostedLifecycleService
{
    public const int MaxBatch = 256;

    /// <summary>How long the first record of a batch waits for others.</summary>
    public static readonly TimeSpan BatchLinger = TimeSpan.FromMilliseconds(20);

    private readonly List<DownloadRecord> _batch = new(MaxBatch);
    private readonly Dictionary<string, Task<RedisValue>> _tags = new(StringComparer.Ordinal);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Downloads that ended while the server drained are published too (the loop has ended by now).</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        queue.Complete();
        while (Take() > 0)
        {
            await PublishBatchAsync().ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                // Let a batch gather: under load one tag read and one outbox script then serve many
                // downloads instead of one or two each; an event reaches the outbox at most this much later.
                if (queue.Reader.Count < MaxBatch)
                {
                    await Task.Delay(BatchLinger, stoppingToken).ConfigureAwait(false);
                }

                Take();
                await PublishBatchAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; StoppedAsync publishes what is left.
        }
    }

    private int Take()
    {
        while (_batch.Count < MaxBatch && queue.Reader.TryRead(out var record))
        {
            _batch.Add(record);
        }

        return _batch.Count;
    }

    private async Task PublishBatchAsync()
    {
        if (queue.TakeDropped() is > 0 and var dropped)
        {
            Log.Dropped(logger, dropped, DownloadEventQueue.Capacity);
        }

        var db = redis.GetDatabase();
        foreach (var record in _batch)
        {
            var code = record.Link.Code;
            if (!_tags.ContainsKey(code))
            {
                _tags.Add(code, db.HashGetAsync(RedisKeys.Link(code), LinkHash.Tags));
            }
        }

        try
        {
            await Task.WhenAll(_tags.Values).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            // The events still go out, with tags null (unknown) for the links whose read failed.
            Log.TagsUnavailable(logger, ex);
        }

        var includeClientAddress = options.Value.IncludeClientAddress;
        foreach (var record in _batch)
        {
            var read = _tags[record.Link.Code];
            var known = read.IsCompletedSuccessfully;
            var data = WebhookEventData.ForDownload(record, known ? (string?)read.Result : null, known, includeClientAddress);
            publisher.Publish(WebhookEventData.DownloadEventType(record.Outcome)!, data);
        }

        _batch.Clear();
        _tags.Clear();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7501, Level = LogLevel.Warning, Message = "The download event queue was full ({Capacity} records); {Dropped} download event(s) were not sent")]
        public static partial void Dropped(ILogger logger, long dropped, int capacity);

        [LoggerMessage(EventId = 7502, Level = LogLevel.Warning, Message = "Could not read link tags for download events; they are sent with tags null")]
        public static partial void TagsUnavailable(ILogger logger, Exception exception);
    }
}
