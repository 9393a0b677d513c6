using Gateway.Links;
using StackExchange.Redis;

namespace Gateway.Downloads;

/// <summary>
/// Stops in-flight downloads of revoked, deleted or expired links on this replica. Pub/sub makes it
/// immediate; because pub/sub is at-most-once (PITFALLS 16), a re-check of every link with a
/// download in flight runs twice a second too, so a lost message costs at most that long.
/// Correctness of "revoked links never start" does not depend on either: every request reads the store.
/// </summary>
internal sealed partial class RevocationWatcher(
    IConnectionMultiplexer redis,
    ILinkStore links,
    InFlightDownloads inFlight,
    TimeProvider time,
    ILogger<RevocationWatcher> logger) : BackgroundService
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("gw:revocations");

    private static readonly TimeSpan RecheckInterval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await SubscribeAsync().ConfigureAwait(false);
        using var timer = new PeriodicTimer(RecheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await RecheckAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                // The store is away; downloads already running keep running until it answers again.
                Log.RecheckFailed(logger, ex);
            }
        }
    }

    private async Task SubscribeAsync()
    {
        try
        {
            var queue = await redis.GetSubscriber().SubscribeAsync(Channel).ConfigureAwait(false);
            queue.OnMessage(message =>
            {
                var code = (string?)message.Message;
                if (code is not null && inFlight.AbortAll(code) > 0)
                {
                    Log.Aborted(logger, "a revocation message");
                }
            });
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            // Not subscribed (the store is down at start): the periodic re-check still covers revocations.
            Log.RecheckFailed(logger, ex);
        }
    }

    private async Task RecheckAsync()
    {
        var codes = inFlight.ActiveCodes;
        if (codes.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        foreach (var code in codes.ToArray())
        {
            var link = await links.GetForDownloadAsync(code).ConfigureAwait(false);
            var stillValid = link is not null
                && link.State == LinkState.Active
                && (link.ExpiresAt is not { } expiresAt || now < expiresAt);
            if (!stillValid && inFlight.AbortAll(code) > 0)
            {
                Log.Aborted(logger, "the periodic re-check");
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Stopped in-flight downloads of a revoked link after {Trigger}")]
        public static partial void Aborted(ILogger logger, string trigger);

        [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Could not re-check in-flight downloads against the link store")]
        public static partial void RecheckFailed(ILogger logger, Exception exception);
    }
}
