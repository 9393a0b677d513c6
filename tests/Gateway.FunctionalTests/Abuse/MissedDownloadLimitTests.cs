using System.Net;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Abuse;

/// <summary>Clients whose download requests keep ending in 404 or 410 get 429 for the rest of the window.</summary>
public sealed class MissedDownloadLimitTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<GatewayTestEnvironment> StartAsync(string window = "00:01:00")
    {
        var env = await GatewayTestEnvironment.StartAsync(settings =>
        {
            settings["Gateway:Abuse:Downloads:Limit"] = "3";
            settings["Gateway:Abuse:Downloads:Window"] = window;
            settings["Gateway:TrustedProxies:0"] = "127.0.0.1";
        });
        await env.PutObjectAsync("ok.txt", "fine"u8.ToArray());
        return env;
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
}
