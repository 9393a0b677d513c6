using System.Diagnostics;
using System.Net;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Abuse;

/// <summary>Clients whose download requests keep ending in 404 or 410 get 429 for the rest of the window.</summary>
public sealed class MissedDownloadLimitTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<GatewayTestEnvironment> StartAsync(string window = "00:01:00")
    {
        var env = await GatewayTestEnvironment.StartAsync(settings => Limit(settings, window));
        await env.PutObjectAsync("ok.txt", "fine"u8.ToArray());
        return env;
    }

    private static void Limit(Dictionary<string, string?> settings, string window = "00:01:00")
    {
        settings["Gateway:Abuse:Downloads:Limit"] = "3";
        settings["Gateway:Abuse:Downloads:Window"] = window;
        settings["Gateway:TrustedProxies:0"] = "127.0.0.1";
    }

    private static HttpRequestMessage From(string client, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Forwarded-For", client);
        return request;
    }

    [Fact]
    public async Task After_the_limit_of_404s_every_download_request_of_the_client_gets_429()
    {
        await using var env = await StartAsync();
        var code = await env.CreateLinkAsync("ok.txt");
        var client = env.Gateway.Client;

        for (var i = 0; i < 3; i++)
        {
            using var miss = await client.SendAsync(From("198.51.100.7", $"/guess{i}abcdef"), Cancel);
            Assert.Equal(HttpStatusCode.NotFound, miss.StatusCode);
        }

        using var blocked = await client.SendAsync(From("198.51.100.7", $"/{code}"), Cancel);
        using var other = await client.SendAsync(From("198.51.100.8", $"/{code}"), Cancel);

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        var retryAfter = blocked.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Equal("no-store", blocked.Headers.CacheControl?.ToString());
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal("fine", await other.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task Answers_410_count_too_and_successes_never_do()
    {
        await using var env = await StartAsync();
        var good = await env.CreateLinkAsync("ok.txt");
        var revoked = await env.CreateLinkAsync("ok.txt");
        (await env.Admin.PostAsync($"/api/v1/links/{revoked}/revoke", null, Cancel)).EnsureSuccessStatusCode();
        var client = env.Gateway.Client;

        for (var i = 0; i < 10; i++)
        {
            using var served = await client.SendAsync(From("203.0.113.20", $"/{good}"), Cancel);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.SendAsync(From("203.0.113.20", $"/{revoked}"), Cancel);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Gone, HttpStatusCode.Gone, HttpStatusCode.Gone, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task The_block_ends_with_the_window()
    {
        await using var env = await StartAsync(window: "00:00:02");
        var code = await env.CreateLinkAsync("ok.txt");
        var client = env.Gateway.Client;
        for (var i = 0; i < 3; i++)
        {
            (await client.SendAsync(From("192.0.2.50", "/nothing-here"), Cancel)).Dispose();
        }

        using var blocked = await client.SendAsync(From("192.0.2.50", $"/{code}"), Cancel);
        await Task.Delay(TimeSpan.FromSeconds(2.2), Cancel);
        using var again = await client.SendAsync(From("192.0.2.50", $"/{code}"), Cancel);

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Ipv6_clients_are_counted_per_64_prefix()
    {
        await using var env = await StartAsync();
        var code = await env.CreateLinkAsync("ok.txt");
        var client = env.Gateway.Client;
        for (var i = 1; i <= 3; i++)
        {
            (await client.SendAsync(From($"2001:db8:1:2::{i}", "/missing-code"), Cancel)).Dispose();
        }

        using var sameSubscriber = await client.SendAsync(From("2001:db8:1:2:ffff::9", $"/{code}"), Cancel);
        using var neighbour = await client.SendAsync(From("2001:db8:1:3::1", $"/{code}"), Cancel);

        Assert.Equal(HttpStatusCode.TooManyRequests, sameSubscriber.StatusCode);
        Assert.Equal(HttpStatusCode.OK, neighbour.StatusCode);
    }

    [Fact]
    public async Task The_admin_api_is_not_affected_by_the_download_limit()
    {
        await using var env = await StartAsync();
        for (var i = 0; i < 5; i++)
        {
            (await env.Gateway.Client.GetAsync("/missing-code", Cancel)).Dispose();
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await env.Gateway.Client.GetAsync("/missing-code", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await env.Admin.GetAsync("/api/v1/links", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await env.Gateway.Client.GetAsync("/healthz", Cancel)).StatusCode);
    }

    [Fact]
    public async Task Two_replicas_on_one_store_share_the_allowance()
    {
        // The store's answer is given up to 2 s here (default 250 ms), so a slow moment on a loaded
        // machine cannot send a miss to the per-replica fallback and make the shared count come out short.
        var env = await GatewayTestEnvironment.StartAsync(settings =>
        {
            Limit(settings);
            settings["Gateway:Abuse:Downloads:StoreTimeout"] = "00:00:02";
        });
        await using var _ = env;
        await env.PutObjectAsync("ok.txt", "fine"u8.ToArray());
        var code = await env.CreateLinkAsync("ok.txt");
        var other = await env.StartAnotherGatewayAsync();
        var a = env.Gateway.Client;
        var b = other.Client;

        var statuses = new List<HttpStatusCode>();
        foreach (var (client, i) in new[] { (a, 0), (b, 1), (a, 2), (b, 3) })
        {
            using var miss = await client.SendAsync(From("198.51.100.30", $"/guess{i}abcdef"), Cancel);
            statuses.Add(miss.StatusCode);
        }

        using var onA = await a.SendAsync(From("198.51.100.30", $"/{code}"), Cancel);
        using var fresh = await b.SendAsync(From("198.51.100.31", $"/{code}"), Cancel);

        // Per replica, each would have allowed 3: the 4th miss across both is refused.
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], statuses);
        // A took the 3rd miss, so it knows the client is over the limit and refuses even a good link, from memory.
        Assert.Equal(HttpStatusCode.TooManyRequests, onA.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Theory]
    [InlineData("refused")]
    [InlineData("stalled")]
    public async Task Without_the_store_each_replica_still_limits_on_its_own_count(string outage)
    {
        await using var setup = await FaultProxiedEnvironment.StartAsync(settings => Limit(settings));
        var env = setup.Environment;
        var client = env.Gateway.Client;
        if (outage == "refused")
        {
            setup.Proxy.Refuse();
        }
        else
        {
            setup.Proxy.Stall();
        }

        // Malformed codes are answered 404 without a lookup, so they are misses even while the store is away.
        var statuses = new List<HttpStatusCode>();
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < 4; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.SendAsync(From("203.0.113.77", $"/no!such{i}"), Cancel);
            slowest = TimeSpan.FromTicks(Math.Max(slowest.Ticks, Stopwatch.GetElapsedTime(started).Ticks));
            statuses.Add(response.StatusCode);
        }

        setup.Proxy.Pass();
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], statuses);
        // A miss waits for the store at most Gateway:Abuse:Downloads:StoreTimeout (250 ms); 2 s leaves room for a loaded machine.
        Assert.True(slowest < TimeSpan.FromSeconds(2), $"slowest miss took {slowest.TotalMilliseconds:0} ms");
    }
}
