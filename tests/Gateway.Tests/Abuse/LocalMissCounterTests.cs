using System.Net;
using Gateway.Abuse;
using Gateway.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Abuse;

/// <summary>Each replica's own 404/410 count: what limits while the store is away, and what answers IsBlocked from memory.</summary>
public sealed class LocalMissCounterTests
{
    private readonly ManualTime _time = new();

    private LocalMissCounter Create(int limit = 3, int maxTrackedClients = 1000, TimeSpan? window = null)
    {
        var settings = new DownloadAbuseOptions
        {
            Limit = limit,
            MaxTrackedClients = maxTrackedClients,
            Window = window ?? TimeSpan.FromMinutes(1),
        };
        return new LocalMissCounter(settings, _time, NullLogger.Instance);
    }

    [Fact]
    public void A_client_is_blocked_at_the_limit_until_its_window_ends()
    {
        var limiter = Create();
        var client = IPAddress.Parse("198.51.100.1");

        limiter.RecordMiss(client);
        limiter.RecordMiss(client);
        Assert.False(limiter.IsBlocked(client, out _));
        limiter.RecordMiss(client);
        _time.Advance(TimeSpan.FromSeconds(20));

        Assert.True(limiter.IsBlocked(client, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(40), retryAfter);
        _time.Advance(TimeSpan.FromSeconds(40));
        Assert.False(limiter.IsBlocked(client, out _));
    }

    [Fact]
    public void A_block_from_the_shared_count_holds_until_its_end_even_below_the_local_count()
    {
        var limiter = Create();
        var client = IPAddress.Parse("198.51.100.4");

        // One miss here, the others on other replicas: the shared count says 3 of 3, 45 s left.
        Assert.Equal(1, limiter.RecordMiss(client));
        limiter.BlockFor(client, TimeSpan.FromSeconds(45));
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(limiter.IsBlocked(client, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(15), retryAfter);
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.False(limiter.IsBlocked(client, out _));
    }

    [Fact]
    public void Misses_spread_over_more_than_a_window_do_not_add_up()
    {
        var limiter = Create();
        var client = IPAddress.Parse("198.51.100.2");

        for (var i = 0; i < 10; i++)
        {
            limiter.RecordMiss(client);
            limiter.RecordMiss(client);
            _time.Advance(TimeSpan.FromSeconds(61));
        }

        Assert.False(limiter.IsBlocked(client, out _));
    }

    [Fact]
    public void Memory_stays_bounded_however_many_clients_miss()
    {
        var limiter = Create(maxTrackedClients: 50);

        for (var i = 0; i < 10_000; i++)
        {
            limiter.RecordMiss(new IPAddress(0x0A000000u + (uint)i));
        }

        Assert.InRange(limiter.TrackedClients, 1, 50);

        // Once their windows are over, the table makes room for new clients again.
        _time.Advance(TimeSpan.FromMinutes(2));
        var newcomer = IPAddress.Parse("203.0.113.99");
        for (var i = 0; i < 3; i++)
        {
            limiter.RecordMiss(newcomer);
        }

        Assert.True(limiter.IsBlocked(newcomer, out _));
        Assert.InRange(limiter.TrackedClients, 1, 50);
    }

    [Theory]
    [InlineData("2001:db8:aa:bb::1", "2001:db8:aa:bb:ffff:ffff:ffff:ffff", true)]
    [InlineData("2001:db8:aa:bb::1", "2001:db8:aa:bc::1", false)]
    [InlineData("10.0.0.1", "::ffff:10.0.0.1", true)]
    [InlineData("10.0.0.1", "10.0.0.2", false)]
    public void Clients_are_counted_per_ipv4_address_and_per_ipv6_64(string missing, string asking, bool blocked)
    {
        var limiter = Create();
        for (var i = 0; i < 3; i++)
        {
            limiter.RecordMiss(IPAddress.Parse(missing));
        }

        Assert.Equal(blocked, limiter.IsBlocked(IPAddress.Parse(asking), out _));
    }

    [Fact]
    public void A_limit_of_zero_switches_the_limiter_off()
    {
        var limiter = Create(limit: 0);
        var client = IPAddress.Parse("198.51.100.3");

        for (var i = 0; i < 100; i++)
        {
            limiter.RecordMiss(client);
        }

        Assert.False(limiter.Enabled);
        Assert.False(limiter.IsBlocked(client, out _));
        Assert.Equal(0, limiter.TrackedClients);
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
