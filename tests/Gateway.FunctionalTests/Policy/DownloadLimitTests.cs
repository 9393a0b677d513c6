using System.Net;
using System.Net.Http.Headers;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Policy;

/// <summary>maxDownloads counts sessions (client IP + User-Agent), atomically, and nothing that is not a download.</summary>
public sealed class DownloadLimitTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        // Trusted, so a test can play many clients at once (X-Forwarded-For): from one address, their 410s
        // would add up against the 404/410 allowance, which both replicas share.
        _env = await GatewayTestEnvironment.StartAsync(settings => settings["Gateway:TrustedProxies:0"] = "127.0.0.1");
        await _env.PutObjectAsync("limited.bin", new byte[10_000]);
    }

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task Fifty_concurrent_first_time_clients_on_two_replicas_get_exactly_five_downloads()
    {
        var code = await _env.CreateLinkAsync("limited.bin", new { maxDownloads = 5 });
        var second = await _env.StartAnotherGatewayAsync();

        var attempts = Enumerable.Range(0, 50).Select(i => GetAsync(i % 2 == 0 ? _env.Gateway.Client : second.Client, code, $"client-{i}", forwardedFor: $"198.51.100.{i + 1}"));
        var statuses = await Task.WhenAll(attempts);

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(45, statuses.Count(s => s == HttpStatusCode.Gone));
        Assert.Equal(5, (await _env.GetLinkAsync(code)).GetProperty("usedDownloads").GetInt64());
        Assert.Equal("exhausted", (await _env.GetLinkAsync(code)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Ranges_and_resumes_of_one_session_count_once_and_may_finish_after_the_limit()
    {
        var code = await _env.CreateLinkAsync("limited.bin", new { maxDownloads = 1 });

        Assert.Equal(HttpStatusCode.PartialContent, await GetAsync(_env.Gateway.Client, code, "resumer", new RangeHeaderValue(0, 999)));
        Assert.Equal(HttpStatusCode.PartialContent, await GetAsync(_env.Gateway.Client, code, "resumer", new RangeHeaderValue(1000, 4999)));
        Assert.Equal(HttpStatusCode.Gone, await GetAsync(_env.Gateway.Client, code, "someone-else"));
        Assert.Equal(HttpStatusCode.PartialContent, await GetAsync(_env.Gateway.Client, code, "resumer", new RangeHeaderValue(5000, null)));
        Assert.Equal(1, (await _env.GetLinkAsync(code)).GetProperty("usedDownloads").GetInt64());
    }

    [Fact]
    public async Task Head_304_416_and_prefetch_never_count()
    {
        var code = await _env.CreateLinkAsync("limited.bin", new { maxDownloads = 1 });
        var client = _env.Gateway.Client;

        using (var head = new HttpRequestMessage(HttpMethod.Head, $"/{code}"))
        {
            head.Headers.UserAgent.ParseAdd("previewer/1.0");
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(head, Cancel)).StatusCode);
        }

        string etag;
        using (var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/{code}"), Cancel))
        {
            etag = head.Headers.ETag!.Tag;
        }

        using (var conditional = new HttpRequestMessage(HttpMethod.Get, $"/{code}"))
        {
            conditional.Headers.UserAgent.ParseAdd("cacher/1.0");
            conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag));
            Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(conditional, Cancel)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, await GetAsync(client, code, "range-prober", new RangeHeaderValue(50_000, 60_000)));

        foreach (var (header, value) in new[] { ("Sec-Purpose", "prefetch;prerender"), ("Purpose", "prefetch") })
        {
            using var prefetch = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
            prefetch.Headers.UserAgent.ParseAdd("speculator/1.0");
            prefetch.Headers.TryAddWithoutValidation(header, value);
            using var response = await client.SendAsync(prefetch, Cancel);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        Assert.Equal(0, (await _env.GetLinkAsync(code)).GetProperty("usedDownloads").GetInt64());
        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, code, "the-real-person"));
        Assert.Equal(HttpStatusCode.Gone, await GetAsync(client, code, "a-second-person"));
    }

    [Fact]
    public async Task Head_of_an_exhausted_link_gets_410_for_new_clients()
    {
        var code = await _env.CreateLinkAsync("limited.bin", new { maxDownloads = 1 });
        Assert.Equal(HttpStatusCode.OK, await GetAsync(_env.Gateway.Client, code, "first"));

        using var head = new HttpRequestMessage(HttpMethod.Head, $"/{code}");
        head.Headers.UserAgent.ParseAdd("late/1.0");

        Assert.Equal(HttpStatusCode.Gone, (await _env.Gateway.Client.SendAsync(head, Cancel)).StatusCode);
    }

    [Fact]
    public async Task The_410_says_the_limit_was_reached()
    {
        var code = await _env.CreateLinkAsync("limited.bin", new { maxDownloads = 1 });
        await GetAsync(_env.Gateway.Client, code, "first");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        request.Headers.UserAgent.ParseAdd("second/1.0");
        using var response = await _env.Gateway.Client.SendAsync(request, Cancel);

        Assert.Contains("download limit", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> GetAsync(HttpClient client, string code, string userAgent, RangeHeaderValue? range = null, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        request.Headers.UserAgent.ParseAdd(userAgent);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        request.Headers.Range = range;
        using var response = await client.SendAsync(request, Cancel);
        await response.Content.ReadAsByteArrayAsync(Cancel);
        return response.StatusCode;
    }
}
