using Gateway.Links;
using Gateway.Metering;
using Gateway.Telemetry;
using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace Gateway.FunctionalTests.Metering;

/// <summary>
/// The gateway's metering services alone (buffer, meter, writer, store), on a clock the test sets,
/// against a real store. Reports go in as the download path would make them; what lands in the
/// store is then read through a real gateway's stats API. This is how a test covers days other
/// than today without waiting for midnight.
/// </summary>
internal sealed class MeteringPipeline : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _started;

    private MeteringPipeline(IHost host, ManualClock clock)
    {
        _host = host;
        Clock = clock;
    }

    public ManualClock Clock { get; }

    public DownloadMeter Meter => _host.Services.GetRequiredService<DownloadMeter>();

    public MeteringWriter Writer => _host.Services.GetRequiredService<MeteringWriter>();

    public IConnectionMultiplexer Redis => _host.Services.GetRequiredService<IConnectionMultiplexer>();

    public static MeteringPipeline Create(string redis, DateTimeOffset now, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var clock = new ManualClock(now);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Services.AddLogging();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton(_ => RedisConnectionOptions.Create(redis));
        builder.Services.AddSingleton<IConnectionMultiplexer>(sp => ConnectionMultiplexer.Connect(sp.GetRequiredService<ConfigurationOptions>()));
        builder.Services.AddSingleton<ReplicatedWrites>();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddMeteringServices(builder.Configuration.GetSection(MeteringOptions.SectionName));
        return new MeteringPipeline(builder.Build(), clock);
    }

    /// <summary>Runs the writer as a hosted service, so stopping the host runs its shutdown flush.</summary>
    public async Task StartAsync()
    {
        await _host.StartAsync(TestContext.Current.CancellationToken);
        _started = true;
    }

    public async Task StopAsync()
    {
        await _host.StopAsync(TestContext.Current.CancellationToken);
        _started = false;
    }

    /// <summary>A completed GET download of <paramref name="bytes"/> bytes: started, then finished, at the clock's time.</summary>
    public void Download(Link link, long bytes)
    {
        Meter.DownloadStarted(link);
        Finish(link, DownloadOutcome.Completed, bytes);
    }

    public void Finish(Link link, DownloadOutcome outcome, long bytes, string method = "GET") =>
        Meter.DownloadFinished(new DownloadRecord(link, method, outcome == DownloadOutcome.NoBody ? 304 : 200, outcome, bytes, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(5)));

    public async Task FlushAsync()
    {
        Assert.True(await Writer.FlushAsync(TestContext.Current.CancellationToken), "the metering flush failed");
    }

    public static Link LinkFor(string code, string bucket = Infrastructure.GatewayTestEnvironment.BucketAlias) =>
        new() { Code = code, Bucket = bucket, Key = "any.bin", CreatedAt = DateTimeOffset.UnixEpoch };

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            await _host.StopAsync(CancellationToken.None);
        }

        _host.Dispose();
    }
}
