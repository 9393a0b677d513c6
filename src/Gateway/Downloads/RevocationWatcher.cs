using Gateway.Links;
using StackExchange.Redis;

namespace Gateway.Downloads;

/// <summary>
/// Stops in-flight downloads of revoked, deleted or expired links on this replica. Pub/sub makes it
/// immediate; because pub/sub is at-most-once (PITFALLS 16), a re-check runs twice a second too, so a
/// lost message costs at most that long. Correctness of "revoked links never start" does not depend
/// on either: every request reads the store.
/// <para>
/// The re-check costs the store the same however many downloads are in flight: one read of the
/// <see cref="LinkChangeLog"/> (the codes revoked, deleted or re-dated since the last read), then one
/// pipelined read of just those of them that are in flight here. Expiry is checked against the
/// expiry each download read, without the store. When the log cannot vouch for the changes (this
/// replica fell behind its retention, the log was lost, a pass failed) and every
/// <see cref="SweepInterval"/> (a writer may have stopped between the link and the log), all links in
/// flight are read again, <see cref="SweepBatchSize"/> to a round trip.
/// </para>
/// </summary>
internal sealed partial class RevocationWatcher(
    IConnectionMultiplexer redis,
    ILinkStore links,
    LinkChangeLog changes,
    InFlightDownloads inFlight,
    TimeProvider time,
    ILogger<RevocationWatcher> logger) : BackgroundService
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("gw:revocations");

    internal static readonly TimeSpan RecheckInterval = TimeSpan.FromMilliseconds(500);

    internal static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Links read per round trip in a sweep: few round trips for many downloads, yet never so many
    /// commands at once that the downloads' own lookups on the shared connection queue behind them for long.
    /// </summary>
    internal const int SweepBatchSize = 1_000;

    /// <summary>Code → the generation whose log read reported its change; complete for generations after <see cref="_knownAfter"/>.</summary>
    private readonly Dictionary<string, long> _recentChanges = new(StringComparer.Ordinal);

    private LinkChangePosition _position = LinkChangePosition.Unknown;
    private long _generation;
    private long _knownAfter;
    private bool _sweepNeeded = true;
    private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;

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
                // The store is away: downloads past their expiry were stopped, the others keep running,
                // and the first pass that reaches the store again is a sweep.
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

    /// <summary>One pass; the timer runs them one at a time. Throws when the store cannot be read.</summary>
    internal async Task<RecheckResult> RecheckAsync()
    {
        if (inFlight.IsEmpty)
        {
            // Nothing to stop. The log is read from where it was left when downloads start again.
            return default;
        }

        var now = time.GetUtcNow();
        LinkChanges read;
        try
        {
            read = await changes.ReadAsync(_position).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            _sweepNeeded = true;
            StopExpired(now);
            throw;
        }

        var generation = _generation + 1;
        var sweep = _sweepNeeded || !read.Complete || now - _lastSweep >= SweepInterval;
        if (sweep)
        {
            // Everything in flight is read below, so what changed before is no longer needed.
            _recentChanges.Clear();
            _knownAfter = generation;
        }
        else
        {
            foreach (var code in read.Codes)
            {
                _recentChanges[code] = generation;
            }
        }

        _position = read.Position;
        _generation = generation;
        inFlight.Advance(generation);

        var due = new Dictionary<string, List<InFlightDownloads.Registration>>(StringComparer.Ordinal);
        foreach (var registration in inFlight.Registrations)
        {
            if (sweep || NeedsRead(registration, now))
            {
                if (!due.TryGetValue(registration.Code, out var ofCode))
                {
                    due[registration.Code] = ofCode = [];
                }

                ofCode.Add(registration);
            }
            else
            {
                registration.CheckedThrough = generation;
            }
        }

        var stopped = await ReadAgainAsync(due, generation).ConfigureAwait(false);
        if (sweep)
        {
            _sweepNeeded = false;
            _lastSweep = now;
        }
        else
        {
            // A download that read its link before the previous pass and registered after this one
            // (a slow admission) is behind what is kept here, and is simply read again next time.
            _knownAfter = Math.Max(_knownAfter, generation - 1);
            foreach (var (code, changedAt) in _recentChanges)
            {
                if (changedAt <= _knownAfter)
                {
                    _recentChanges.Remove(code);
                }
            }
        }

        if (stopped > 0)
        {
            Log.Aborted(logger, sweep ? "a sweep of all links in flight" : "the periodic re-check");
        }

        return new RecheckResult(sweep, due.Count, stopped);
    }

    /// <summary>Whether the download's link must be read again: its expiry passed, or it may have changed since the download last knew it.</summary>
    private bool NeedsRead(InFlightDownloads.Registration registration, DateTimeOffset now) =>
        registration.ExpiresAt <= now
        || registration.CheckedThrough < _knownAfter
        || (_recentChanges.TryGetValue(registration.Code, out var changedAt) && changedAt > registration.CheckedThrough);

    /// <summary>Reads the links again in pipelined batches and stops the downloads of those no longer valid; returns how many were stopped.</summary>
    private async Task<int> ReadAgainAsync(Dictionary<string, List<InFlightDownloads.Registration>> due, long generation)
    {
        if (due.Count == 0)
        {
            return 0;
        }

        var codes = new List<string>(due.Keys);
        var stopped = 0;
        for (var start = 0; start < codes.Count; start += SweepBatchSize)
        {
            var batch = codes.GetRange(start, Math.Min(SweepBatchSize, codes.Count - start));
            Link?[] read;
            try
            {
                read = await links.GetForDownloadAsync(batch).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                _sweepNeeded = true;
                StopExpired(time.GetUtcNow());
                throw;
            }

            var now = time.GetUtcNow();
            for (var i = 0; i < batch.Count; i++)
            {
                var link = read[i];
                var stillValid = link is not null
                    && link.State == LinkState.Active
                    && (link.ExpiresAt is not { } expiresAt || now < expiresAt);

                // Only the downloads this pass looked at: one that started after the read may have
                // read the link restored, and its own turn comes on the next pass.
                foreach (var registration in due[batch[i]])
                {
                    if (!stillValid)
                    {
                        stopped += registration.Abort() ? 1 : 0;
                    }
                    else
                    {
                        registration.ExpiresAt = link!.ExpiresAt;
                        registration.CheckedThrough = generation;
                    }
                }
            }
        }

        return stopped;
    }

    /// <summary>
    /// With the store unreachable, the expiry each download last read still decides: an expired link is
    /// not served to new requests either (they get 503), so its downloads in flight stop too.
    /// </summary>
    private void StopExpired(DateTimeOffset now)
    {
        var stopped = 0;
        foreach (var registration in inFlight.Registrations)
        {
            if (registration.ExpiresAt <= now && registration.Abort())
            {
                stopped++;
            }
        }

        if (stopped > 0)
        {
            Log.Aborted(logger, "its expiry, with the link store unreachable");
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

/// <summary>What one re-check pass did: whether it swept, how many links it read, how many downloads it stopped.</summary>
internal readonly record struct RecheckResult(bool Swept, int LinksRead, int Stopped);
