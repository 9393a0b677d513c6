using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.FunctionalTests.Infrastructure;
using static Gateway.FunctionalTests.Metering.StatsRequests;

namespace Gateway.FunctionalTests.Metering;

/// <summary>Real downloads through the gateway, with objects of known sizes, and the exact numbers the stats API then shows.</summary>
public sealed class MeteringTests : IAsyncLifetime
{
    private const int SmallSize = 100_000;
    private const long LargeSize = 64L * 1024 * 1024;

    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _env = await GatewayTestEnvironment.StartAsync();

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task Complete_ranged_aborted_HEAD_and_304_downloads_are_counted_exactly()
    {
        var firstDay = Today;
        await _env.PutObjectAsync("small.bin", new byte[SmallSize]);
        using (var content = new PatternStream(LargeSize))
        {
            await _env.PutObjectAsync("large.bin", content);
        }

        var small = await _env.CreateLinkAsync("small.bin");
        var large = await _env.CreateLinkAsync("large.bin");
        var client = _env.Gateway.Client;

        using (var full = await client.GetAsync($"/{small}", Cancel))
        {
            Assert.Equal(SmallSize, (await full.Content.ReadAsByteArrayAsync(Cancel)).Length);
        }

        using (var range = new HttpRequestMessage(HttpMethod.Get, $"/{small}"))
        {
            range.Headers.Range = new RangeHeaderValue(1000, 1999);
            using var ranged = await client.SendAsync(range, Cancel);
            Assert.Equal(HttpStatusCode.PartialContent, ranged.StatusCode);
            Assert.Equal(1000, (await ranged.Content.ReadAsByteArrayAsync(Cancel)).Length);
        }

        EntityTagHeaderValue etag;
        using (var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/{small}"), Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            etag = head.Headers.ETag!;
        }

        using (var conditional = new HttpRequestMessage(HttpMethod.Get, $"/{small}"))
        {
            conditional.Headers.IfNoneMatch.Add(etag);
            using var notModified = await client.SendAsync(conditional, Cancel);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }

        var clientRead = await ReadSomeAndAbortAsync($"/{large}", 1024 * 1024);

        var smallStats = await WaitForAsync(_env.Admin, $"/api/v1/links/{small}/stats", s => s.GetProperty("totals").Counts() == (3, 2, 0, SmallSize + 1000));
        var largeStats = await WaitForAsync(_env.Admin, $"/api/v1/links/{large}/stats", s => s.GetProperty("totals").Long("aborted") == 1);
        var lastDay = Today;

        // Small: the full GET, the range and the 304 started; the full GET and the range completed. HEAD counts nothing.
        var smallTotals = smallStats.GetProperty("totals");
        Assert.Equal((3, 2, 0, SmallSize + 1000), smallTotals.Counts());
        Assert.True(smallTotals.GetProperty("lastDownloadAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));

        // Large: one start, one abort, and the bytes the gateway wrote before the client left: at least
        // what the client read, never the whole object.
        var largeTotals = largeStats.GetProperty("totals");
        var (largeStarted, largeDownloads, largeAborted, largeBytes) = largeTotals.Counts();
        Assert.Equal((1, 0, 1), (largeStarted, largeDownloads, largeAborted));
        Assert.InRange(largeBytes, clientRead, LargeSize - 1);

        // The days of the test (one, unless it ran over midnight UTC) hold exactly the totals.
        Assert.Equal(smallTotals.Counts(), SumDays(smallStats, firstDay, lastDay));
        Assert.Equal(largeTotals.Counts(), SumDays(largeStats, firstDay, lastDay));

        // The admin API reads the same totals.
        var link = await _env.GetLinkAsync(small);
        Assert.Equal(2, link.Long("downloads"));
        Assert.Equal(SmallSize + 1000, link.Long("bytes"));

        var buckets = await GetJsonAsync(_env.Admin, "/api/v1/stats/buckets");
        var media = Assert.Single(buckets.GetProperty("buckets").EnumerateArray());
        Assert.Equal(GatewayTestEnvironment.BucketAlias, media.GetProperty("bucket").GetString());
        Assert.Equal((4, 2, 1, SmallSize + 1000 + largeBytes), media.Counts());

        if (firstDay == lastDay)
        {
            var byBytes = (await GetJsonAsync(_env.Admin, $"/api/v1/stats/top?day={Day(lastDay)}&by=bytes")).GetProperty("links").EnumerateArray().ToArray();
            Assert.Equal([large, small], byBytes.Select(l => l.GetProperty("code").GetString()));
            Assert.Equal([largeBytes, SmallSize + 1000], byBytes.Select(l => l.Long("bytes")));
            Assert.Equal([0L, 2L], byBytes.Select(l => l.Long("downloads")));
            Assert.Equal([1, 2], byBytes.Select(l => l.GetProperty("rank").GetInt32()));

            var byDownloads = (await GetJsonAsync(_env.Admin, $"/api/v1/stats/top?day={Day(lastDay)}&by=downloads")).GetProperty("links").EnumerateArray().ToArray();
            var only = Assert.Single(byDownloads);
            Assert.Equal(small, only.GetProperty("code").GetString());
            Assert.Equal((2L, (long)SmallSize + 1000), (only.Long("downloads"), only.Long("bytes")));
        }
    }

    [Fact]
    public async Task Redirect_mode_clicks_count_as_completed_downloads_without_bytes()
    {
        await _env.PutObjectAsync("elsewhere.bin", new byte[5000]);
        var code = await _env.CreateLinkAsync("elsewhere.bin", new { mode = "redirect" });

        for (var i = 0; i < 2; i++)
        {
            using var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        }

        using (var head = await _env.Gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/{code}"), Cancel))
        {
            Assert.Equal(HttpStatusCode.Found, head.StatusCode);
        }

        var stats = await WaitForAsync(_env.Admin, $"/api/v1/links/{code}/stats", s => s.GetProperty("totals").Long("downloads") >= 2);

        Assert.Equal((2, 2, 0, 0), stats.GetProperty("totals").Counts());
    }

    [Fact]
    public async Task Stats_come_as_RFC_4180_csv_when_asked_for()
    {
        await _env.PutObjectAsync("csv.bin", new byte[777]);
        var code = await _env.CreateLinkAsync("csv.bin");
        using (var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel))
        {
            Assert.Equal(777, (await response.Content.ReadAsByteArrayAsync(Cancel)).Length);
        }

        await WaitForAsync(_env.Admin, $"/api/v1/links/{code}/stats", s => s.GetProperty("totals").Long("downloads") == 1);
        var today = Today;
        var from = today.AddDays(-2);

        var series = await GetCsvAsync($"/api/v1/links/{code}/stats?from={Day(from)}&to={Day(today)}");
        Assert.Equal(
            $"day,started,downloads,aborted,bytes,previews\r\n{Day(from)},0,0,0,0,0\r\n{Day(today.AddDays(-1))},0,0,0,0,0\r\n{Day(today)},1,1,0,777,0\r\n",
            series);

        var buckets = await GetCsvAsync("/api/v1/stats/buckets");
        var lines = buckets.Split("\r\n");
        Assert.Equal("bucket,started,downloads,aborted,bytes,lastDownloadAt,previews", lines[0]);
        Assert.StartsWith($"{GatewayTestEnvironment.BucketAlias},1,1,0,777,{Day(today)}T", lines[1]);
        Assert.EndsWith(",0", lines[1], StringComparison.Ordinal);
        Assert.Equal("", lines[^1]);

        var top = await GetCsvAsync($"/api/v1/stats/top?day={Day(today)}&by=downloads");
        Assert.Equal($"rank,code,bytes,downloads\r\n1,{code},777,1\r\n", top);
    }

    private async Task<string> GetCsvAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/csv");
        using var response = await _env.Admin.SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        return await response.Content.ReadAsStringAsync(Cancel);
    }

    /// <summary>Reads part of the body, then drops the connection; returns how many bytes the client got.</summary>
    private async Task<long> ReadSomeAndAbortAsync(string path, int bytes)
    {
        using var client = _env.Gateway.CreateClient();
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStreamAsync(Cancel);
        var buffer = new byte[64 * 1024];
        long read = 0;
        while (read < bytes)
        {
            var n = await body.ReadAsync(buffer, Cancel);
            Assert.NotEqual(0, n);
            read += n;
        }

        return read;
    }

    private static (long, long, long, long) SumDays(JsonElement stats, DateOnly first, DateOnly last)
    {
        long started = 0, downloads = 0, aborted = 0, bytes = 0;
        foreach (var day in stats.GetProperty("days").EnumerateArray())
        {
            var date = DateOnly.Parse(day.GetProperty("day").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            var counts = day.Counts();
            if (date < first || date > last)
            {
                Assert.Equal((0, 0, 0, 0), counts);
                continue;
            }

            started += counts.Started;
            downloads += counts.Downloads;
            aborted += counts.Aborted;
            bytes += counts.Bytes;
        }

        return (started, downloads, aborted, bytes);
    }
}
