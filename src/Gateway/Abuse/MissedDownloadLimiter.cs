using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
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
/// reaches. A replica that saw the client go over the limit also refuses its other download requests
/// at once, from memory. Every miss is counted in this process too: when the store does not answer
/// within <c>Gateway:Abuse:Downloads:StoreTimeout</c>, that local count decides, as each replica did on
/// its own before (behind N replicas a client may then miss up to N times the limit). Memory is bounded
/// by MaxTrackedClients.
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

    private readonly ConcurrentDictionary<ClientKey, MissWindow> _clients = new();
    private readonly DownloadAbuseOptions _settings;
    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<MissedDownloadLimiter> _logger;
    private int _tracked;
    private long _lastSweep;
    private long _lastFullWarning;
    private int _storeAway;

    public MissedDownloadLimiter(IOptions<GatewayOptions> options, IConnectionMultiplexer redis, TimeProvider time, GatewayMetrics metrics, ILogger<MissedDownloadLimiter> logger)
    {
        _settings = options.Value.Abuse.Downloads;
        _redis = redis;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    public bool Enabled => _settings.Limit > 0;

    /// <summary>Clients tracked now (for tests and diagnostics).</summary>
    public int TrackedClients => Volatile.Read(ref _tracked);

    /// <summary>
    /// True when this replica knows the client used up its misses; <paramref name="retryAfter"/> is the
    /// rest of its window. From memory only: a served download never waits for the store.
    /// </summary>
    public bool IsBlocked(IPAddress client, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!Enabled || !_clients.TryGetValue(ClientKey.Of(client), out var window))
        {
            return false;
        }

        var now = _time.GetUtcNow().UtcTicks;
        lock (window)
        {
            var ends = window.StartedAt + _settings.Window.Ticks;
            if (window.Misses >= _settings.Limit && now < ends)
            {
                retryAfter = TimeSpan.FromTicks(ends - now);
                return true;
            }

            if (now < window.BlockedUntil)
            {
                retryAfter = TimeSpan.FromTicks(window.BlockedUntil - now);
                return true;
            }

            return false;
        }
    }

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

        var (window, localMisses) = RecordLocalMiss(client);
        var shared = await CountSharedAsync(client).ConfigureAwait(false);
        if (shared is not var (count, remaining))
        {
            // The store is away: the local count (already made) refuses the client's next request once it reaches the limit.
            if (localMisses == _settings.Limit)
            {
                Log.ClientBlocked(_logger, client, _settings.Limit, _settings.Window);
            }

            return null;
        }

        if (count >= _settings.Limit && window is not null)
        {
            var until = _time.GetUtcNow().UtcTicks + remaining.Ticks;
            lock (window)
            {
                window.BlockedUntil = Math.Max(window.BlockedUntil, until);
            }
        }

        if (count == _settings.Limit)
        {
            Log.ClientBlocked(_logger, client, _settings.Limit, _settings.Window);
        }

        return count > _settings.Limit ? remaining : null;
    }

    /// <summary>The client's count in the store with this miss, or null when the store did not answer in time.</summary>
    private async Task<(long Count, TimeSpan Remaining)?> CountSharedAsync(IPAddress client)
    {
        Task<RedisResult> counting;
        try
        {
            counting = _redis.GetDatabase().ScriptEvaluateAsync(
                CountMissScript,
                [ClientKey.Of(client).StoreKey()],
                [(long)_settings.Window.TotalMilliseconds]);
        }
        catch (Exception ex) when (ex is RedisException)
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
            // A late answer or failure of the abandoned call must not surface as an unobserved exception.
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

    /// <summary>Counts the miss in this process; returns the client's window (null when the table is full) and its misses.</summary>
    private (MissWindow? Window, int Misses) RecordLocalMiss(IPAddress client)
    {
        var now = _time.GetUtcNow().UtcTicks;
        SweepIfDue(now, _settings.Window.Ticks);
        var key = ClientKey.Of(client);
        if (!_clients.TryGetValue(key, out var window))
        {
            if (Volatile.Read(ref _tracked) >= _settings.MaxTrackedClients)
            {
                // A full table is swept at most once a second: under a flood of new addresses a sweep
                // per request would turn each cheap miss into a walk over every tracked client.
                SweepIfDue(now, TimeSpan.TicksPerSecond);
                if (Volatile.Read(ref _tracked) >= _settings.MaxTrackedClients)
                {
                    WarnFull(now);
                    return (null, 0);
                }
            }

            var added = new MissWindow { StartedAt = now };
            window = _clients.GetOrAdd(key, added);
            if (ReferenceEquals(window, added))
            {
                Interlocked.Increment(ref _tracked);
            }
        }

        lock (window)
        {
            if (now - window.StartedAt >= _settings.Window.Ticks)
            {
                window.StartedAt = now;
                window.Misses = 0;
            }

            window.Misses++;
            return (window, window.Misses);
        }
    }

    private void SweepIfDue(long now, long interval)
    {
        var last = Interlocked.Read(ref _lastSweep);
        if (now - last >= interval && Interlocked.CompareExchange(ref _lastSweep, now, last) == last)
        {
            Sweep(now);
        }
    }

    /// <summary>Forgets clients whose window and block are over: they would start afresh anyway.</summary>
    private void Sweep(long now)
    {
        foreach (var (key, window) in _clients)
        {
            bool over;
            lock (window)
            {
                over = now - window.StartedAt >= _settings.Window.Ticks && now >= window.BlockedUntil;
            }

            // Removes only this window object: a client re-added meanwhile keeps its fresh count.
            if (over && _clients.TryRemove(new KeyValuePair<ClientKey, MissWindow>(key, window)))
            {
                Interlocked.Decrement(ref _tracked);
            }
        }
    }

    private void WarnFull(long now)
    {
        var last = Interlocked.Read(ref _lastFullWarning);
        if (now - last >= _settings.Window.Ticks && Interlocked.CompareExchange(ref _lastFullWarning, now, last) == last)
        {
            Log.TableFull(_logger, _settings.MaxTrackedClients);
        }
    }

    /// <summary>An IPv4 address, or the /64 prefix of an IPv6 one.</summary>
    private readonly record struct ClientKey(ulong Bits, bool IsV6)
    {
        public static ClientKey Of(IPAddress address)
        {
            Span<byte> bytes = stackalloc byte[16];
            if (address.AddressFamily == AddressFamily.InterNetworkV6 && !address.IsIPv4MappedToIPv6)
            {
                address.TryWriteBytes(bytes, out _);
                return new ClientKey(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes), IsV6: true);
            }

            var v4 = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            v4.TryWriteBytes(bytes, out _);
            return new ClientKey(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes), IsV6: false);
        }

        /// <summary>
        /// One key per client, no hash tag: on a Cluster the clients spread over all slots, and the script
        /// touches only this key. <c>gw:misses:4:c6336407</c> (IPv4) or <c>gw:misses:6:20010db800010002</c> (a /64).
        /// </summary>
        public RedisKey StoreKey() => IsV6
            ? string.Create(CultureInfo.InvariantCulture, $"gw:misses:6:{Bits:x16}")
            : string.Create(CultureInfo.InvariantCulture, $"gw:misses:4:{Bits:x8}");
    }

    private sealed class MissWindow
    {
        public long StartedAt;
        public int Misses;

        /// <summary>Until when the shared count says the client is over the limit (UTC ticks); 0: not known to be.</summary>
        public long BlockedUntil;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "Client {Client} got {Limit} download answers 404/410 within {Window}; its download requests get 429 until the window ends")]
        public static partial void ClientBlocked(ILogger logger, IPAddress client, int limit, TimeSpan window);

        [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "The 404/410 limiter tracks {Max} clients already; new clients go unlimited until old windows end (Gateway:Abuse:Downloads:MaxTrackedClients)")]
        public static partial void TableFull(ILogger logger, int max);

        [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "The link store did not count a 404/410 within {TimeoutMs} ms (Gateway:Abuse:Downloads:StoreTimeout); this replica limits on its own count until it does")]
        public static partial void FallingBack(ILogger logger, double timeoutMs, Exception exception);

        [LoggerMessage(EventId = 6104, Level = LogLevel.Information, Message = "The link store counts 404/410 answers again; the limit is shared across replicas")]
        public static partial void SharedAgain(ILogger logger);
    }
}
