using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Downloads;

public sealed class CounterTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _env = await GatewayTestEnvironment.StartAsync();

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task Counters_are_exact_for_complete_and_ranged_downloads_and_zero_for_HEAD_and_304()
    {
        const int size = 100_000;
        await _env.PutObjectAsync("count.bin", new byte[size]);
        var code = await _env.CreateLinkAsync("count.bin");
        var client = _env.Gateway.Client;

        using (var full = await client.GetAsync($"/{code}", Cancel))
        {
            Assert.Equal(size, (await full.Content.ReadAsByteArrayAsync(Cancel)).Length);
        }

        using (var range = new HttpRequestMessage(HttpMethod.Get, $"/{code}"))
        {
            range.Headers.Range = new RangeHeaderValue(1000, 1999);
            using var ranged = await client.SendAsync(range, Cancel);
            Assert.Equal(HttpStatusCode.PartialContent, ranged.StatusCode);
            Assert.Equal(1000, (await ranged.Content.ReadAsByteArrayAsync(Cancel)).Length);
        }

        EntityTagHeaderValue etag;
        using (var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/{code}"), Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            etag = head.Headers.ETag!;
        }

        using (var conditional = new HttpRequestMessage(HttpMethod.Get, $"/{code}"))
        {
            conditional.Headers.IfNoneMatch.Add(etag);
            using var notModified = await client.SendAsync(conditional, Cancel);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }

        var link = await WaitForCountersAsync(code, minimumDownloads: 2);
        Assert.Equal(2, link.GetProperty("downloads").GetInt64());
        Assert.Equal(size + 1000, link.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task Counters_count_exactly_the_body_bytes_of_complete_downloads()
    {
        await _env.PutObjectAsync("exact.bin", new byte[12_345]);
        var code = await _env.CreateLinkAsync("exact.bin");

        for (var i = 0; i < 3; i++)
        {
            using var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);
            Assert.Equal(12_345, (await response.Content.ReadAsByteArrayAsync(Cancel)).Length);
        }

        using var head = await _env.Gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/{code}"), Cancel);

        var link = await WaitForCountersAsync(code, minimumDownloads: 3);
        Assert.Equal(3, link.GetProperty("downloads").GetInt64());
        Assert.Equal(3 * 12_345, link.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task A_new_link_has_zero_counters()
    {
        var code = await _env.CreateLinkAsync("fresh.bin");

        var link = await _env.GetLinkAsync(code);

        Assert.Equal(0, link.GetProperty("downloads").GetInt64());
        Assert.Equal(0, link.GetProperty("bytes").GetInt64());
    }

    /// <summary>Counters are written after the response completed, so give them a moment to land.</summary>
    private async Task<JsonElement> WaitForCountersAsync(string code, long minimumDownloads)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var link = await _env.GetLinkAsync(code);
            if (link.GetProperty("downloads").GetInt64() >= minimumDownloads || DateTime.UtcNow > deadline)
            {
                // One more short wait lets any stray extra increment land too, so "exact" is really exact.
                await Task.Delay(200, Cancel);
                return await _env.GetLinkAsync(code);
            }

            await Task.Delay(50, Cancel);
        }
    }
}
