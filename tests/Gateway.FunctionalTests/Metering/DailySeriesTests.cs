using Gateway.FunctionalTests.Infrastructure;
using Gateway.Metering;
using static Gateway.FunctionalTests.Metering.StatsRequests;

namespace Gateway.FunctionalTests.Metering;

/// <summary>
/// Day buckets. Reports are made through the gateway's metering services on a clock the test sets
/// (two days ago, just before and just after the last midnight, today), written to the store, and
/// read back through a real gateway's stats API.
/// </summary>
public sealed class DailySeriesTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    public async ValueTask InitializeAsync() => _env = await GatewayTestEnvironment.StartAsync();

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    private static DateTimeOffset At(DateOnly day, int hour, int minute = 0, int second = 0, int millisecond = 0) =>
        new(day.ToDateTime(new TimeOnly(hour, minute, second, millisecond)), TimeSpan.Zero);

    [Fact]
    public async Task Every_UTC_day_gets_exactly_its_own_counts()
    {
        var x = await _env.CreateLinkAsync("x.bin");
        var y = await _env.CreateLinkAsync("y.bin");
        var today = Today;
        var twoDaysAgo = today.AddDays(-2);
        var yesterday = today.AddDays(-1);
        await using var pipeline = MeteringPipeline.Create(_env.Store.ConnectionString, At(twoDaysAgo, 12));
        var linkX = MeteringPipeline.LinkFor(x);
        var linkY = MeteringPipeline.LinkFor(y);

        pipeline.Download(linkX, 100);
        pipeline.Download(linkX, 100);
        pipeline.Download(linkY, 50);

        // A download that starts just before midnight and ends just after: the start belongs to
        // yesterday, the completion and its bytes to today.
        pipeline.Clock.Set(At(yesterday, 23, 59, 59, 900));
        pipeline.Meter.DownloadStarted(linkX);
        await pipeline.FlushAsync();
        pipeline.Clock.Set(At(today, 0, 0, 0, 100));
        pipeline.Finish(linkX, DownloadOutcome.Completed, 1000);

        // Today: an abort with its bytes, a 304 (started, nothing else) and a HEAD (nothing at all).
        pipeline.Clock.Set(At(today, 0, 30));
        pipeline.Meter.DownloadStarted(linkY);
        pipeline.Finish(linkY, DownloadOutcome.Aborted, 30);
        pipeline.Meter.DownloadStarted(linkY);
        pipeline.Finish(linkY, DownloadOutcome.NoBody, 0);
        pipeline.Finish(linkX, DownloadOutcome.NoBody, 0, method: "HEAD");
        await pipeline.FlushAsync();

        var range = $"from={Day(twoDaysAgo)}&to={Day(today)}";
        var statsX = await GetJsonAsync(_env.Admin, $"/api/v1/links/{x}/stats?{range}");
        Assert.Equal(
            [(Day(twoDaysAgo), (2L, 2L, 0L, 200L)), (Day(yesterday), (1, 0, 0, 0)), (Day(today), (0, 1, 0, 1000))],
            statsX.GetProperty("days").EnumerateArray().Select(d => (d.GetProperty("day").GetString(), d.Counts())));
        Assert.Equal((3, 3, 0, 1200), statsX.GetProperty("totals").Counts());
        Assert.Equal(At(yesterday, 23, 59, 59, 900), statsX.GetProperty("totals").GetProperty("lastDownloadAt").GetDateTimeOffset());

        var statsY = await GetJsonAsync(_env.Admin, $"/api/v1/links/{y}/stats?{range}");
        Assert.Equal(
            [(Day(twoDaysAgo), (1L, 1L, 0L, 50L)), (Day(yesterday), (0, 0, 0, 0)), (Day(today), (2, 0, 1, 30))],
            statsY.GetProperty("days").EnumerateArray().Select(d => (d.GetProperty("day").GetString(), d.Counts())));
        Assert.Equal((3, 1, 1, 80), statsY.GetProperty("totals").Counts());

        Assert.Equal((3, 3, 0, 250), MediaBucket(await GetJsonAsync(_env.Admin, $"/api/v1/stats/buckets?day={Day(twoDaysAgo)}")).Counts());
        Assert.Equal((1, 0, 0, 0), MediaBucket(await GetJsonAsync(_env.Admin, $"/api/v1/stats/buckets?day={Day(yesterday)}")).Counts());
        Assert.Equal((2, 1, 1, 1030), MediaBucket(await GetJsonAsync(_env.Admin, $"/api/v1/stats/buckets?day={Day(today)}")).Counts());
        Assert.Equal((6, 4, 1, 1280), MediaBucket(await GetJsonAsync(_env.Admin, "/api/v1/stats/buckets")).Counts());

        Assert.Equal([(x, 200L, 2L), (y, 50, 1)], await TopAsync(twoDaysAgo, "bytes"));
        Assert.Equal([(x, 200L, 2L), (y, 50, 1)], await TopAsync(twoDaysAgo, "downloads"));
        Assert.Empty(await TopAsync(yesterday, "bytes"));
        Assert.Equal([(x, 1000L, 1L), (y, 30, 0)], await TopAsync(today, "bytes"));
        Assert.Equal([(x, 1000L, 1L)], await TopAsync(today, "downloads"));
    }

    [Fact]
    public async Task Without_a_range_the_series_is_the_last_30_days_ending_today()
    {
        var code = await _env.CreateLinkAsync("x.bin");

        var stats = await GetJsonAsync(_env.Admin, $"/api/v1/links/{code}/stats");

        var days = stats.GetProperty("days").EnumerateArray().Select(d => d.GetProperty("day").GetString()).ToArray();
        Assert.Equal(30, days.Length);
        Assert.Equal(Day(Today.AddDays(-29)), days[0]);
        Assert.Equal(Day(Today), days[^1]);
        Assert.Equal(days[0], stats.GetProperty("from").GetString());
        Assert.Equal(days[^1], stats.GetProperty("to").GetString());
    }

    [Fact]
    public async Task Day_keys_expire_after_the_retention_window()
    {
        var code = await _env.CreateLinkAsync("x.bin");
        var day = Today.AddDays(-3);
        await using var pipeline = MeteringPipeline.Create(_env.Store.ConnectionString, At(day, 8), new Dictionary<string, string?> { ["Gateway:Metering:RetentionDays"] = "10" });

        pipeline.Download(MeteringPipeline.LinkFor(code), 10);
        await pipeline.FlushAsync();

        // Kept through the end of the tenth day from `day` on, plus one day of grace.
        var expected = new DateTimeOffset(day.AddDays(11).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) - DateTimeOffset.UtcNow;
        var db = pipeline.Redis.GetDatabase();
        foreach (var key in new[] { MeteringKeys.LinkDay(code, day), MeteringKeys.BucketDay(day), MeteringKeys.TopBytes(day), MeteringKeys.TopDownloads(day) })
        {
            var ttl = await db.KeyTimeToLiveAsync(key);
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value, expected - TimeSpan.FromMinutes(1), expected + TimeSpan.FromMinutes(1));
        }

        // Totals live as long as the link.
        Assert.Null(await db.KeyTimeToLiveAsync(MeteringKeys.LinkTotals(code)));
    }

    [Fact]
    public async Task Totals_of_an_expiring_link_are_purged_with_the_link()
    {
        var code = await _env.CreateLinkAsync("x.bin", new { expiresAt = DateTimeOffset.UtcNow.AddDays(2) });
        await using var pipeline = MeteringPipeline.Create(_env.Store.ConnectionString, DateTimeOffset.UtcNow);

        pipeline.Download(MeteringPipeline.LinkFor(code), 10);
        await pipeline.FlushAsync();

        var db = pipeline.Redis.GetDatabase();
        var linkTtl = await db.KeyTimeToLiveAsync(Gateway.Links.RedisKeys.Link(code));
        var totalsTtl = await db.KeyTimeToLiveAsync(MeteringKeys.LinkTotals(code));
        Assert.NotNull(linkTtl);
        Assert.NotNull(totalsTtl);
        Assert.InRange(totalsTtl.Value, linkTtl.Value - TimeSpan.FromMinutes(1), linkTtl.Value + TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_day_that_is_over_keeps_its_best_links_exactly()
    {
        var day = Today.AddDays(-6);
        await using var pipeline = MeteringPipeline.Create(_env.Store.ConnectionString, At(day, 9), new Dictionary<string, string?> { ["Gateway:Metering:TopLinksPerDay"] = "10" });
        var codes = Enumerable.Range(1, 12).Select(i => $"top-link-{i:D2}").ToArray();
        foreach (var code in codes)
        {
            await _env.CreateLinkAsync("x.bin", new { code });
        }

        for (var i = 0; i < codes.Length; i++)
        {
            // Link i: (i + 1) downloads of 100 bytes each, in two separate flushes.
            for (var n = 0; n <= i; n++)
            {
                pipeline.Download(MeteringPipeline.LinkFor(codes[i]), 100);
                if (n == 0)
                {
                    await pipeline.FlushAsync();
                }
            }
        }

        await pipeline.FlushAsync();
        Assert.Equal(12, (await TopAsync(day, "bytes", 100)).Length);

        // Two days later the day is closed: the next flush trims it to its best ten.
        pipeline.Clock.Set(At(day.AddDays(2), 0, 0, 1));
        await pipeline.FlushAsync();

        var expected = codes.Reverse().Take(10).Select((c, rank) => ((string?)c, (12L - rank) * 100, 12L - rank)).ToArray();
        Assert.Equal(expected, await TopAsync(day, "bytes", 100));
        Assert.Equal(expected, await TopAsync(day, "downloads", 100));
    }

    private static System.Text.Json.JsonElement MediaBucket(System.Text.Json.JsonElement buckets) =>
        buckets.GetProperty("buckets").EnumerateArray().Single(b => b.GetProperty("bucket").GetString() == GatewayTestEnvironment.BucketAlias);

    private async Task<(string?, long, long)[]> TopAsync(DateOnly day, string by, int limit = 10)
    {
        var top = await GetJsonAsync(_env.Admin, $"/api/v1/stats/top?day={Day(day)}&by={by}&limit={limit}");
        Assert.Equal(Day(day), top.GetProperty("day").GetString());
        Assert.Equal(by, top.GetProperty("by").GetString());
        return [.. top.GetProperty("links").EnumerateArray().Select(l => (l.GetProperty("code").GetString(), l.Long("bytes"), l.Long("downloads")))];
    }
}
