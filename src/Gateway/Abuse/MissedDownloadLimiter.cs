using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Abuse;

/// <summary>
/// Counts, per client, download requests that ended in 404 or 410: someone guessing codes or
/// replaying dead links. After <c>Gateway:Abuse:Downloads:Limit</c> of them within a window (fixed, from
/// the client's first miss) the client is refused until the window ends. IPv6 clients are counted per
/// /64, the block one subscriber gets, so rotating addresses within it does not reset the count.
/// The counts live in this process only: each replica limits on its own, so behind N replicas a
/// client may miss up to N times the limit. That is enough to make guessing 59-bit codes hopeless,
/// and it keeps a store round trip off every miss. Memory is bounded by MaxTrackedClients.
/// </summary>
internal sealed partial class MissedDownloadLimiter(IOptions<GatewayOptions> options, TimeProvider time, ILogger<MissedDownloadLimiter> logger)
{
    private readonly ConcurrentDictionary<ClientKey, MissWindow> _clients = new();
    private readonly DownloadAbuseOptions _settings = options.Value.Abuse.Downloads;
    private int _tracked;
    private long _lastSweep;
    private long _lastFullWarning;

    public bool Enabled => _settings.Limit > 0;

    /// <summary>Clients tracked now (for tests and diagnostics).</summary>
    public int TrackedClients => Volatile.Read(ref _tracked);

    /// <summary>True when the client used up its misses; <paramref name="retryAfter"/> is the rest of its window.</summary>
    public bool IsBlocked(IPAddress client, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!Enabled || !_clients.TryGetValue(ClientKey.Of(client), out var window))
        {
            return false;
        }

        var now = time.GetUtcNow().UtcTicks;
        lock (window)
        {
            var ends = window.StartedAt + _settings.Window.Ticks;
            if (window.Misses < _settings.Limit || now >= ends)
            {
                return false;
            }

            retryAfter = TimeSpan.FromTicks(ends - now);
            return true;
        }
    }

    /// <summary>Counts a 404 or 410 answer to the client.</summary>
    public void RecordMiss(IPAddress client)
    {
        if (!Enabled)
        {
            return;
        }

        var now = time.GetUtcNow().UtcTicks;
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
                    return;
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
            if (window.Misses == _settings.Limit)
            {
                Log.ClientBlocked(logger, client, _settings.Limit, _settings.Window);
            }
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

    /// <summary>Forgets clients whose window is over: they would start afresh anyway.</summary>
    private void Sweep(long now)
    {
        foreach (var (key, window) in _clients)
        {
            bool over;
            lock (window)
            {
                over = now - window.StartedAt >= _settings.Window.Ticks;
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
            Log.TableFull(logger, _settings.MaxTrackedClients);
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
    }

    private sealed class MissWindow
    {
        public long StartedAt;
        public int Misses;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "Client {Client} got {Limit} download answers 404/410 within {Window}; its download requests get 429 until the window ends")]
        public static partial void ClientBlocked(ILogger logger, IPAddress client, int limit, TimeSpan window);

        [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "The 404/410 limiter tracks {Max} clients already; new clients go unlimited until old windows end (Gateway:Abuse:Downloads:MaxTrackedClients)")]
        public static partial void TableFull(ILogger logger, int max);
    }
}
