using System.Net;
using Gateway.FunctionalTests.Infrastructure;
using static Gateway.FunctionalTests.Metering.StatsRequests;

namespace Gateway.FunctionalTests.Metering;

/// <summary><c>GET /api/v1/stats/buckets/days</c>: each bucket's counts for every day of a range, for a traffic chart.</summary>
public sealed class BucketDaysTests : IAsyncLifetime
{
    private const string ArchiveKey = "gwk_test_days_archive_0123456789";
    private const string PrefixKey = "gwk_test_days_prefix_0123456789";

    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _env = await GatewayTestEnvironment.StartAsync(settings =>
        {
            GatewayTestEnvironment.AddBucket(settings, "archive", GatewayTestEnvironment.BucketName);
            settings["Gateway:Admin:ApiKeys:archive:Sha256"] = GatewayTestEnvironment.Sha256Hex(ArchiveKey);
            settings["Gateway:Admin:ApiKeys:archive:Scopes:0"] = "stats:read";
            settings["Gateway:Admin:ApiKeys:archive:Buckets:0"] = "archive";
            settings["Gateway:Admin:ApiKeys:prefix:Sha256"] = GatewayTestEnvironment.Sha256Hex(PrefixKey);
            settings["Gateway:Admin:ApiKeys:prefix:Scopes:0"] = "stats:read";
            settings["Gateway:Admin:ApiKeys:prefix:KeyPrefixes:0"] = "public/";
        });

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task Each_bucket_has_one_entry_per_day_with_that_days_counts()
    {
        var media = await _env.CreateLinkAsync("a.bin");
        var archive = await _env.CreateLinkAsync("b.bin");
        var today = Today;
        await using (var pipeline = MeteringPipeline.Create(_env.Store.ConnectionString, DateTimeOffset.UtcNow.AddDays(-2)))
        {
            pipeline.Download(MeteringPipeline.LinkFor(media), 100);
            await pipeline.FlushAsync();
            pipeline.Clock.Set(DateTimeOffset.UtcNow);
            pipeline.Download(MeteringPipeline.LinkFor(media), 7);
            pipeline.Download(MeteringPipeline.LinkFor(archive, "archive"), 5);
            pipeline.Download(MeteringPipeline.LinkFor(archive, "archive"), 5);
            await pipeline.FlushAsync();
        }

        var series = await GetJsonAsync(_env.Admin, $"/api/v1/stats/buckets/days?from={Day(today.AddDays(-3))}");

        Assert.Equal(Day(today.AddDays(-3)), series.GetProperty("from").GetString());
        Assert.Equal(Day(today), series.GetProperty("to").GetString());
        var buckets = series.GetProperty("buckets").EnumerateArray().ToDictionary(b => b.GetProperty("bucket").GetString()!, b => b.GetProperty("days").EnumerateArray().ToArray());
        Assert.Equal(["archive", "media"], buckets.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([Day(today.AddDays(-3)), Day(today.AddDays(-2)), Day(today.AddDays(-1)), Day(today)], buckets["media"].Select(d => d.GetProperty("day").GetString()));
        Assert.Equal([0L, 100, 0, 7], buckets["media"].Select(d => d.Long("bytes")));
        Assert.Equal([0L, 1, 0, 1], buckets["media"].Select(d => d.Long("downloads")));
        Assert.Equal([0L, 0, 0, 10], buckets["archive"].Select(d => d.Long("bytes")));
        Assert.Equal([0L, 0, 0, 2], buckets["archive"].Select(d => d.Long("downloads")));
    }

    [Fact]
    public async Task The_default_range_is_the_last_30_days()
    {
        var series = await GetJsonAsync(_env.Admin, "/api/v1/stats/buckets/days");

        Assert.Equal(Day(Today.AddDays(-29)), series.GetProperty("from").GetString());
        Assert.All(series.GetProperty("buckets").EnumerateArray(), bucket => Assert.Equal(30, bucket.GetProperty("days").GetArrayLength()));
    }

    [Fact]
    public async Task A_key_sees_only_the_whole_buckets_it_may_see()
    {
        using var archiveOnly = _env.Gateway.CreateClient(ArchiveKey);
        using var prefixOnly = _env.Gateway.CreateClient(PrefixKey);

        var archive = await GetJsonAsync(archiveOnly, "/api/v1/stats/buckets/days");
        var prefix = await GetJsonAsync(prefixOnly, "/api/v1/stats/buckets/days");

        Assert.Equal(["archive"], archive.GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("bucket").GetString()));
        Assert.Empty(prefix.GetProperty("buckets").EnumerateArray());
        using var reader = _env.Gateway.CreateClient(GatewayTestEnvironment.ReaderKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/api/v1/stats/buckets/days", Cancel)).StatusCode);
    }

    [Fact]
    public async Task Ranges_outside_the_retention_or_backwards_are_refused_naming_the_parameter()
    {
        using var backwards = await _env.Admin.GetAsync($"/api/v1/stats/buckets/days?from={Day(Today)}&to={Day(Today.AddDays(-1))}", Cancel);
        using var tooOld = await _env.Admin.GetAsync($"/api/v1/stats/buckets/days?from={Day(Today.AddDays(-90))}", Cancel);
        using var future = await _env.Admin.GetAsync($"/api/v1/stats/buckets/days?to={Day(Today.AddDays(1))}", Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.True((await Admin.AdminJson.ReadAsync(backwards)).GetProperty("errors").TryGetProperty("from", out _));
        Assert.True((await Admin.AdminJson.ReadAsync(tooOld)).GetProperty("errors").TryGetProperty("from", out _));
        Assert.True((await Admin.AdminJson.ReadAsync(future)).GetProperty("errors").TryGetProperty("to", out _));
    }

    [Fact]
    public async Task Csv_has_one_row_per_day_and_bucket()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/stats/buckets/days?from={Day(Today.AddDays(-1))}");
        request.Headers.Accept.ParseAdd("text/csv");

        using var response = await _env.Admin.SendAsync(request, Cancel);
        var lines = (await response.Content.ReadAsStringAsync(Cancel)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("day,bucket,started,downloads,aborted,bytes,previews", lines[0]);
        Assert.Equal(
            [$"{Day(Today.AddDays(-1))},archive,0,0,0,0,0", $"{Day(Today.AddDays(-1))},media,0,0,0,0,0", $"{Day(Today)},archive,0,0,0,0,0", $"{Day(Today)},media,0,0,0,0,0"],
            lines[1..]);
    }
}
