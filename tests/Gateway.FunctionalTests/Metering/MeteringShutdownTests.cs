using Gateway.FunctionalTests.Infrastructure;
using static Gateway.FunctionalTests.Metering.StatsRequests;

namespace Gateway.FunctionalTests.Metering;

/// <summary>Counts still in the buffer when the process stops are written on the way out.</summary>
public sealed class MeteringShutdownTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _env = await GatewayTestEnvironment.StartAsync();

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task Stopping_the_host_flushes_what_is_buffered()
    {
        var code = await _env.CreateLinkAsync("x.bin");
        // The test clock's timers never fire: the only flush is the one at shutdown.
        await using var pipeline = MeteringPipeline.Create(_env.Store.ConnectionString, DateTimeOffset.UtcNow);
        await pipeline.StartAsync();
        pipeline.Download(MeteringPipeline.LinkFor(code), 4321);
        pipeline.Download(MeteringPipeline.LinkFor(code), 1);
        await Task.Delay(1500, Cancel);
        Assert.Equal((0, 0, 0, 0), (await GetJsonAsync(_env.Admin, $"/api/v1/links/{code}/stats")).GetProperty("totals").Counts());

        await pipeline.StopAsync();

        Assert.Equal((2, 2, 0, 4322), (await GetJsonAsync(_env.Admin, $"/api/v1/links/{code}/stats")).GetProperty("totals").Counts());
    }

    [Fact]
    public async Task Downloads_just_before_a_gateway_stops_are_counted()
    {
        await _env.PutObjectAsync("last.bin", new byte[54_321]);
        var code = await _env.CreateLinkAsync("last.bin");
        var replica = await GatewayInstance.StartAsync(GatewayTestEnvironment.GatewaySettings(_env.Directory, _env.Store.ConnectionString, _env.Oss.BaseAddress));
        try
        {
            using var response = await replica.Client.GetAsync($"/{code}", Cancel);
            Assert.Equal(54_321, (await response.Content.ReadAsByteArrayAsync(Cancel)).Length);
        }
        finally
        {
            await replica.DisposeAsync();
        }

        var stats = await GetJsonAsync(_env.Admin, $"/api/v1/links/{code}/stats");
        Assert.Equal((1, 1, 0, 54_321), stats.GetProperty("totals").Counts());
    }
}
