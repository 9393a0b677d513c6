using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Webhooks;

/// <summary>
/// This replica's copy of the endpoints, re-read every <see cref="WebhookOptions.EndpointRefreshInterval"/>
/// and at once after an endpoint changes here. The outbox writer picks the subscribed endpoints from it and
/// <see cref="WantsDownloadEvents"/> is a field read, so neither touches the store per event.
/// </summary>
internal sealed partial class WebhookEndpointCache(WebhookStore store, IOptions<WebhookOptions> options, ILogger<WebhookEndpointCache> logger) : BackgroundService
{
    private volatile IReadOnlyList<WebhookEndpoint> _endpoints = [];
    private volatile bool _wantsDownloadEvents;
    private readonly TaskCompletionSource _firstRead = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<WebhookEndpoint> Endpoints => _endpoints;

    public bool WantsDownloadEvents => _wantsDownloadEvents;

    /// <summary>Completes after the first read (successful or not), so events published at start are not matched against an empty list.</summary>
    public Task FirstRead => _firstRead.Task;

    /// <summary>Re-reads the endpoints now; a store failure keeps the previous copy (the next period tries again).</summary>
    public async Task RefreshAsync()
    {
        try
        {
            var endpoints = await store.ListAsync().ConfigureAwait(false);
            var wantsDownloads = false;
            foreach (var endpoint in endpoints)
            {
                wantsDownloads |= endpoint.Enabled && (endpoint.Subscribes(WebhookEventTypes.DownloadCompleted) || endpoint.Subscribes(WebhookEventTypes.DownloadAborted));
            }

            _endpoints = endpoints;
            _wantsDownloadEvents = wantsDownloads;
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            Log.RefreshFailed(logger, ex);
        }
        finally
        {
            _firstRead.TrySetResult();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.EndpointRefreshInterval);
        do
        {
            await RefreshAsync().ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Could not read the webhook endpoints; keeping the previous list")]
        public static partial void RefreshFailed(ILogger logger, Exception exception);
    }
}
