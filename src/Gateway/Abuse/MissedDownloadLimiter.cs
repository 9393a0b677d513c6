using System.Net;
using Gateway.Hosting;
using Gateway.Telemetry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Abuse;

/// <summary>
/// Counts, per client, download requests that ended in 404 or 410: someone guessing codes or
/// replaying dead links. After <c>Gateway:Abuse:Downloads:Limit</c> of them within a window (fixed, from
/// the client's first miss) the client is refused until the window ends. IPv6 clients are counted per
/// /64, the block one subscriber gets, so rotating addresses within it does not reset the count.
/// </summary>
/// <remarks>
/// The count lives in the store, one small script per miss and nothing on a served download, so the
/// allowance holds across all replicas: the miss after the limit is refused (429) whichever replica it
/// reaches, and a replica that saw the client go over refuses its other download requests at once,
/// from memory. Every miss is also counted in this process (<see cref="LocalMissCounter"/>): when the
/// store does not answer within <c>Gateway:Abuse:Downloads:StoreTimeout</c>, that count decides, as
/// each replica did on its own before (behind N replicas a client may then miss up to N times the limit).
/// </remarks>
internal sealed partial class MissedDownloadLimiter
{
    /// <summary>
    /// KEYS: the client's counter. ARGV: the window (ms). Returns the count with this miss and the
    /// window's remaining milliseconds. The window starts with the first miss (the key's expiry); a
    /// counter that somehow lost its expiry gets one again rather than blocking forever.
    /// </summary>
    private const string CountMissScript = """
        local n = redis.call('INCR', KEYS[1])
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[1])
          ttl = tonumber(ARGV[1])
        end
        return {n, ttl}
        """;

    private readonly DownloadAbuseOptions _settings;
    private readonly LocalMissCounter _local;
    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<MissedDownloadLimiter> _logger;
    private int _storeAway;

    public MissedDownloadLimiter(IOptions<GatewayOptions> options, IConnectionMultiplexer redis, TimeProvider time, GatewayMetrics metrics, ILogger<MissedDownloadLimiter> logger)
    {
        _settings = options.Value.Abuse.Downloads;
        _local = new LocalMissCounter(_settings, time, logger);
        _redis = redis;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    public bool Enabled => _settings.Limit > 0;

    /// <summary>
    /// True when this replica knows the client used up its misses; <paramref name="retryAfter"/> is the
    /// rest of its window. From memory only: a served download never waits for the store.
    /// </summary>
    public bool IsBlocked(IPAddress client, out TimeSpan retryAfter) => _local.IsBlocked(client, out retryAfter);

    /// <summary>
    /// Counts a 404 or 410 about to be answered. Returns null when the answer may go out, or the rest of
    /// the client's window when this miss is over the limit (across replicas) and must be refused instead.
    /// </summary>
    public async Task<TimeSpan?> RecordMissAsync(IPAddress client)
    {
        if (!Enabled)
        {
            return null;
        }

        var localMisses = _local.RecordMiss(client);
        if (await CountSharedAsync(client).ConfigureAwait(false) is not var (count, remaining))
        {
            // The store is away: the local count (already made) refuses the client's next request once it reaches the limit.
            if (localMisses == _settings.Limit)
            {
                Log.ClientBlocked(_logger, client, _settings.Limit, _settings.Window);
            }

            return null;
        }

        if (count >= _settings.Limit)
        {
            _local.BlockFor(client, remaining);
        }

        if (count == _settings.Limit)
        {
            Log.ClientBlocked(_logger, client, _settings.Limit, _settings.Window);
        }

        return count > _settings.Limit ? remaining : null;
    }

    /// <summary>The client's count in the store with this miss, and the rest of its window; null when the store did not answer in time.</summary>
    private async Task<(long Count, TimeSpan Remaining)?> CountSharedAsync(IPAddress client)
    {
        Task<RedisResult> counting;
        try
        {
            counting = _redis.GetDatabase().ScriptEvaluateAsync(
                CountMissScript,
                [LocalMissCounter.ClientKey.Of(client).StoreKey()],
                [(long)_settings.Window.TotalMilliseconds]);
        }
        catch (RedisException ex)
        {
            StoreAway(ex);
            return null;
        }

        try
        {
            var result = (RedisResult[])(await counting.WaitAsync(_settings.StoreTimeout, _time).ConfigureAwait(false))!;
            if (Interlocked.Exchange(ref _storeAway, 0) == 1)
            {
                Log.SharedAgain(_logger);
            }

            return ((long)result[0], TimeSpan.FromMilliseconds(Math.Max(1, (long)result[1])));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // A late failure of the abandoned call must not surface as an unobserved task exception.
            _ = counting.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            StoreAway(ex);
            return null;
        }
    }

    private void StoreAway(Exception exception)
    {
        _metrics.StoreError("abuse");
        if (Interlocked.Exchange(ref _storeAway, 1) == 0)
        {
            Log.FallingBack(_logger, _settings.StoreTimeout.TotalMilliseconds, exception);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "Client {Client} got {Limit} download answers 404/410 within {Window}; its download requests get 429 until the window ends")]
        public static partial void ClientBlocked(ILogger logger, IPAddress client, int limit, TimeSpan window);

        [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "The link store did not count a 404/410 within {TimeoutMs} ms (Gateway:Abuse:Downloads:StoreTimeout); this replica limits on its own count until it does")]
        public static partial void FallingBack(ILogger logger, double timeoutMs, Exception exception);

        [LoggerMessage(EventId = 6104, Level = LogLevel.Information, Message = "The link store counts 404/410 answers again; the limit is shared across replicas")]
        public static partial void SharedAgain(ILogger logger);
    }
}
