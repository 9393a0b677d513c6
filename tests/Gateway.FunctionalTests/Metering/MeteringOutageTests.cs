using System.Net;
using Gateway.FunctionalTests.Infrastructure;
using static Gateway.FunctionalTests.Metering.StatsRequests;

namespace Gateway.FunctionalTests.Metering;

/// <summary>The store goes away for a few seconds (through <see cref="TcpFaultProxy"/>); no count is lost and none is doubled.</summary>
public sealed class MeteringOutageTests : IAsyncLifetime
{
    private const int SmallSize = 10_000;
    private const long LargeSize = 8L * 1024 * 1024;

    private FaultProxiedEnvironment _setup = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private GatewayTestEnvironment Env => _setup.Environment;

    private TcpFaultProxy Proxy => _setup.Proxy;

    public async ValueTask InitializeAsync() => _setup = await FaultProxiedEnvironment.StartAsync();

    public ValueTask DisposeAsync() => _setup.DisposeAsync();

    [Fact]
    public async Task Counts_made_during_a_store_outage_are_written_once_it_returns()
    {
        await Env.PutObjectAsync("small.bin", new byte[SmallSize]);
        using (var content = new PatternStream(LargeSize))
        {
            await Env.PutObjectAsync("large.bin", content);
        }

        var small = await Env.CreateLinkAsync("small.bin");
        var large = await Env.CreateLinkAsync("large.bin");
        var client = Env.Gateway.Client;
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync($"/{small}", Cancel);
            Assert.Equal(SmallSize, (await response.Content.ReadAsByteArrayAsync(Cancel)).Length);
        }

        // A download in progress when the store goes away, which completes during the outage.
        using var download = await Env.Gateway.CreateClient().GetAsync($"/{large}", HttpCompletionOption.ResponseHeadersRead, Cancel);
        var body = await download.Content.ReadAsStreamAsync(Cancel);
        var buffer = new byte[64 * 1024];
        long read = await body.ReadAsync(buffer, Cancel);

        Proxy.Refuse();
        using (var refused = await client.GetAsync($"/{small}", Cancel))
        {
            // Fail closed: a link that cannot be read is not served, and so not counted either.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        int n;
        while ((n = await body.ReadAsync(buffer, Cancel)) > 0)
        {
            read += n;
        }

        Assert.Equal(LargeSize, read);

        // Long enough for several flushes to fail.
        await Task.Delay(TimeSpan.FromSeconds(3), Cancel);
        var metrics = await client.GetStringAsync("/metrics", Cancel);
        Assert.Contains("gateway_store_errors_total{", metrics);
        Assert.Contains("gateway_operation=\"metering\"", metrics);
        Proxy.Pass();

        var smallStats = await WaitForAsync(Env.Admin, $"/api/v1/links/{small}/stats", s => s.GetProperty("totals").Long("downloads") >= 3, timeoutSeconds: 30);
        var largeStats = await WaitForAsync(Env.Admin, $"/api/v1/links/{large}/stats", s => s.GetProperty("totals").Long("downloads") >= 1, timeoutSeconds: 30);
        Assert.Equal((3, 3, 0, 3 * SmallSize), smallStats.GetProperty("totals").Counts());
        Assert.Equal((1, 1, 0, LargeSize), largeStats.GetProperty("totals").Counts());
    }

    [Fact]
    public async Task A_write_whose_answer_was_lost_is_not_counted_twice()
    {
        var code = await Env.CreateLinkAsync("x.bin");
        var link = MeteringPipeline.LinkFor(code);
        await using var proxy = TcpFaultProxy.Start(Env.Store.ConnectionString);
        await using var pipeline = MeteringPipeline.Create(proxy.ConnectionString, DateTimeOffset.UtcNow);

        pipeline.Download(link, 1000);
        pipeline.Download(link, 1000);
        await pipeline.FlushAsync();

        // The store applies the next write, but its answer never arrives: the flush times out.
        pipeline.Download(link, 500);
        proxy.SwallowReplies();
        Assert.False(await pipeline.Writer.FlushAsync(Cancel));
        var applied = await WaitForAsync(Env.Admin, $"/api/v1/links/{code}/stats", s => s.GetProperty("totals").Long("downloads") == 3);
        Assert.Equal((3, 3, 0, 2500), applied.GetProperty("totals").Counts());

        // More counts arrive while the writer is still in trouble.
        pipeline.Download(link, 7);
        proxy.Pass();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await pipeline.Writer.FlushAsync(Cancel))
        {
            Assert.True(DateTime.UtcNow < deadline, "the writer did not recover");
            await Task.Delay(200, Cancel);
        }

        var stats = await GetJsonAsync(Env.Admin, $"/api/v1/links/{code}/stats");
        Assert.Equal((4, 4, 0, 2507), stats.GetProperty("totals").Counts());
        var bucket = (await GetJsonAsync(Env.Admin, "/api/v1/stats/buckets")).GetProperty("buckets").EnumerateArray()
            .Single(b => b.GetProperty("bucket").GetString() == GatewayTestEnvironment.BucketAlias);
        Assert.Equal((4, 4, 0, 2507), bucket.Counts());
        var top = Assert.Single((await GetJsonAsync(Env.Admin, $"/api/v1/stats/top?day={Day(Today)}")).GetProperty("links").EnumerateArray());
        Assert.Equal((2507L, 4L), (top.Long("bytes"), top.Long("downloads")));
    }
}
