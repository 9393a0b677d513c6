using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gateway.Hosting;
using StackExchange.Redis;

namespace Gateway.Abuse;

/// <summary>
/// This replica's own view of the 404/410 counts: every miss it answered, per client, in a fixed window
/// from the client's first miss, and the blocks the shared count told it about. It answers
/// <see cref="IsBlocked"/> from memory (so a served download never waits for the store), and it is
/// what limits alone while the store is away (<see cref="MissedDownloadLimiter"/>). Memory is bounded by
/// MaxTrackedClients: when full, clients not yet tracked are not limited here.
/// </summary>
internal sealed partial class LocalMissCounter(DownloadAbuseOptions settings, TimeProvider time, ILogger logger)
{
    private readonly ConcurrentDictionary<ClientKey, MissWindow> _clients = new();
    private int _tracked;
    private long _lastSweep;
    private long _lastFullWarning;

    public bool Enabled => settings.Limit > 0;

    /// <summary>Clients tracked now (for tests and diagnostics).</summary>
    public int TrackedClients => Volatile.Read(ref _tracked);

    /// <summary>True when the client used up its misses here, or the shared count said so; <paramref name="retryAfter"/> is the rest of its window.</summary>
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
            var ends = window.StartedAt + settings.Window.Ticks;
            if (window.Misses >= settings.Limit && now < ends)
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

    /// <summary>Counts a 404 or 410 answer to the client; returns its misses in the current window (0 when the table is full and it is not tracked).</summary>
    public int RecordMiss(IPAddress client)
    {
        if (!Enabled)
        {
            return 0;
        }

        var now = time.GetUtcNow().UtcTicks;
        SweepIfDue(now, settings.Window.Ticks);
        var key = ClientKey.Of(client);
        if (!_clients.TryGetValue(key, out var window))
        {
            if (Volatile.Read(ref _tracked) >= settings.MaxTrackedClients)
            {
                // A full table is swept at most once a second: under a flood of new addresses a sweep
                // per request would turn each cheap miss into a walk over every tracked client.
                SweepIfDue(now, TimeSpan.TicksPerSecond);
                if (Volatile.Read(ref _tracked) >= settings.MaxTrackedClients)
                {
                    WarnFull(now);
                    return 0;
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
            if (now - window.StartedAt >= settings.Window.Ticks)
            {
                window.StartedAt = now;
                window.Misses = 0;
            }

            return ++window.Misses;
        }
    }

    /// <summary>The shared count says the client is over the limit for <paramref name="remaining"/> more: refuse it here until then.</summary>
    public void BlockFor(IPAddress client, TimeSpan remaining)
    {
        if (!Enabled || !_clients.TryGetValue(ClientKey.Of(client), out var window))
        {
            // Not tracked (a full table): the shared count still refuses each of its misses.
            return;
        }

        var until = time.GetUtcNow().UtcTicks + remaining.Ticks;
        lock (window)
        {
            window.BlockedUntil = Math.Max(window.BlockedUntil, until);
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
                over = now - window.StartedAt >= settings.Window.Ticks && now >= window.BlockedUntil;
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
        if (now - last >= settings.Window.Ticks && Interlocked.CompareExchange(ref _lastFullWarning, now, last) == last)
        {
            Log.TableFull(logger, settings.MaxTrackedClients);
        }
    }

    /// <summary>An IPv4 address, or the /64 prefix of an IPv6 one.</summary>
    internal readonly record struct ClientKey(ulong Bits, bool IsV6)
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
        /// One store key per client, no hash tag: on a Cluster the clients spread over all slots, and the
        /// script touches only this key. <c>gw:misses:4:c6336407</c> (IPv4) or <c>gw:misses:6:20010db800010002</c> (a /64).
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
        [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "The 404/410 limiter tracks {Max} clients already; new clients go unlimited until old windows end (Gateway:Abuse:Downloads:MaxTrackedClients)")]
        public static partial void TableFull(ILogger logger, int max);
    }
}
