using System.Net;
using Gateway.FunctionalTests.Infrastructure;
using static Gateway.FunctionalTests.Metering.StatsRequests;

namespace Gateway.FunctionalTests.Metering;

/// <summary>A key limited to some buckets or key prefixes sees only their statistics, as it sees only their links.</summary>
public sealed class StatsScopeTests : IAsyncLifetime
{
    private const string PrefixKey = "gwk_test_stats_public_0123456789";
    private const string OtherBucketKey = "gwk_test_stats_other_0123456789";

    private GatewayTestEnvironment _env = null!;

    public async ValueTask InitializeAsync() =>
        _env = await GatewayTestEnvironment.StartAsync(settings =>
        {
            GatewayTestEnvironment.AddBucket(settings, "archive", GatewayTestEnvironment.BucketName);
            settings["Gateway:Admin:ApiKeys:public:Sha256"] = GatewayTestEnvironment.Sha256Hex(PrefixKey);
            settings["Gateway:Admin:ApiKeys:public:Scopes:0"] = "stats:read";
            settings["Gateway:Admin:ApiKeys:public:KeyPrefixes:0"] = "public/";
            settings["Gateway:Admin:ApiKeys:other:Sha256"] = GatewayTestEnvironment.Sha256Hex(OtherBucketKey);
            settings["Gateway:Admin:ApiKeys:other:Scopes:0"] = "stats:read";
            settings["Gateway:Admin:ApiKeys:other:Buckets:0"] = "archive";
        });

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task A_scoped_key_sees_the_statistics_of_its_links_only()
    {
        var visible = await _env.CreateLinkAsync("public/a.bin");
        var hidden = await _env.CreateLinkAsync("private/b.bin");
        var today = Today;
        await using (var pipeline = MeteringPipeline.Create(_env.Store.ConnectionString, DateTimeOffset.UtcNow))
        {
            pipeline.Download(MeteringPipeline.LinkFor(visible), 10);
            pipeline.Download(MeteringPipeline.LinkFor(hidden), 99);
            await pipeline.FlushAsync();
        }

        using var prefixed = _env.Gateway.CreateClient(PrefixKey);
        using var otherBucket = _env.Gateway.CreateClient(OtherBucketKey);

        Assert.Equal(HttpStatusCode.OK, (await prefixed.GetAsync($"/api/v1/links/{visible}/stats", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await prefixed.GetAsync($"/api/v1/links/{hidden}/stats", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherBucket.GetAsync($"/api/v1/links/{visible}/stats", TestContext.Current.CancellationToken)).StatusCode);

        var top = (await GetJsonAsync(prefixed, $"/api/v1/stats/top?day={Day(today)}")).GetProperty("links").EnumerateArray().ToArray();
        var only = Assert.Single(top);
        Assert.Equal((visible, 1), (only.GetProperty("code").GetString(), only.GetProperty("rank").GetInt32()));
        Assert.Empty((await GetJsonAsync(otherBucket, $"/api/v1/stats/top?day={Day(today)}")).GetProperty("links").EnumerateArray());
        Assert.Equal(2, (await GetJsonAsync(_env.Admin, $"/api/v1/stats/top?day={Day(today)}")).GetProperty("links").GetArrayLength());

        // Bucket totals include every key in the bucket: only keys that may see the whole bucket get them.
        Assert.Empty((await GetJsonAsync(prefixed, "/api/v1/stats/buckets")).GetProperty("buckets").EnumerateArray());
        var archive = Assert.Single((await GetJsonAsync(otherBucket, "/api/v1/stats/buckets")).GetProperty("buckets").EnumerateArray());
        Assert.Equal(("archive", 0L), (archive.GetProperty("bucket").GetString(), archive.Long("bytes")));
        var all = (await GetJsonAsync(_env.Admin, "/api/v1/stats/buckets")).GetProperty("buckets").EnumerateArray().ToDictionary(b => b.GetProperty("bucket").GetString()!, b => b.Long("bytes"));
        Assert.Equal(new Dictionary<string, long> { ["archive"] = 0, ["media"] = 109 }, all);
    }
}
