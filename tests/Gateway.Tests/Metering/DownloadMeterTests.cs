using System.Diagnostics.Metrics;
using Gateway.Links;
using Gateway.Metering;
using Gateway.Telemetry;
using Gateway.Tests.Webhooks;
using Gateway.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Metering;

public sealed class DownloadMeterTests : IDisposable
{
    private static readonly DateOnly Yesterday = new(2026, 11, 27);
    private static readonly DateOnly Today = new(2026, 11, 28);

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly SettableClock _clock = new(new DateTimeOffset(2026, 11, 27, 23, 59, 59, 900, TimeSpan.Zero));
    private readonly MeteringBuffer _buffer = new(Options.Create(new MeteringOptions()));
    private readonly List<(string Instrument, long Value, Dictionary<string, object?> Tags)> _measurements = [];
    private readonly MeterListener _listener = new();
    private readonly DownloadMeter _meter;

    private static readonly Link Proxy = new() { Code = "x7Kp2qRt9w", Bucket = "media", Key = "a.bin", CreatedAt = DateTimeOffset.UnixEpoch };

    public DownloadMeterTests()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _meter = new DownloadMeter(_buffer, new GatewayMetrics(factory), _clock, new DownloadEventQueue(new CapturingWebhookPublisher()));
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            _measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    private void Finish(DownloadOutcome outcome, long bytes, string method = "GET", int status = 200) =>
        _meter.DownloadFinished(new DownloadRecord(Proxy, method, status, outcome, bytes, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(20)));

    [Fact]
    public void A_start_counts_on_its_day_and_the_completion_on_the_day_it_ends()
    {
        _meter.DownloadStarted(Proxy);
        _clock.Now = new DateTimeOffset(2026, 11, 28, 0, 0, 0, 100, TimeSpan.Zero);
        Finish(DownloadOutcome.Completed, 1234);

        var drained = _buffer.Drain();

        var started = drained[new LinkDay(Proxy.Code, Yesterday)];
        Assert.Equal((1L, 0L, 0L), (started.Started, started.Downloads, started.Bytes));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 23, 59, 59, 900, TimeSpan.Zero).ToUnixTimeMilliseconds(), started.LastDownloadAt);
        var completed = drained[new LinkDay(Proxy.Code, Today)];
        Assert.Equal((0L, 1L, 1234L, 0L), (completed.Started, completed.Downloads, completed.Bytes, completed.LastDownloadAt));
        Assert.Equal("media", completed.Bucket);
    }

    [Fact]
    public void HEAD_counts_nothing_and_a_GET_without_the_object_only_its_start()
    {
        Finish(DownloadOutcome.NoBody, 0, method: "HEAD");
        _meter.DownloadStarted(Proxy);
        Finish(DownloadOutcome.NoBody, 0, status: 304);
        _meter.DownloadStarted(Proxy);
        // The gateway's own error text (a 502 body, say) is not the object's bytes.
        Finish(DownloadOutcome.NoBody, 48, status: 502);

        var tally = Assert.Single(_buffer.Drain()).Value;

        Assert.Equal((2L, 0L, 0L, 0L), (tally.Started, tally.Downloads, tally.Aborted, tally.Bytes));
    }

    [Fact]
    public void An_abort_counts_with_the_bytes_that_were_sent()
    {
        _meter.DownloadStarted(Proxy);
        Finish(DownloadOutcome.Aborted, 65_536);

        var tally = Assert.Single(_buffer.Drain()).Value;

        Assert.Equal((1L, 0L, 1L, 65_536L), (tally.Started, tally.Downloads, tally.Aborted, tally.Bytes));
    }

    [Fact]
    public void Metrics_carry_bucket_mode_and_result_and_never_the_link_code()
    {
        _meter.DownloadStarted(Proxy);
        Finish(DownloadOutcome.Completed, 100);
        _meter.DownloadStarted(Proxy);
        Finish(DownloadOutcome.Aborted, 10);
        Finish(DownloadOutcome.NoBody, 0, method: "HEAD");

        Assert.Equal(
            ["started", "completed", "started", "aborted"],
            _measurements.Where(m => m.Instrument == "gateway.downloads").Select(m => (string?)m.Tags[GatewayMetrics.ResultTag]));
        Assert.Equal(110, _measurements.Where(m => m.Instrument == "gateway.download.bytes").Sum(m => m.Value));
        Assert.Equal(0, _measurements.Where(m => m.Instrument == "gateway.downloads.active").Sum(m => m.Value));
        Assert.All(_measurements, m =>
        {
            Assert.Equal("media", m.Tags[GatewayMetrics.BucketTag]);
            Assert.Equal("proxy", m.Tags[GatewayMetrics.ModeTag]);
            Assert.DoesNotContain(Proxy.Code, m.Tags.Values.Select(v => v?.ToString()));
        });
    }

    [Fact]
    public void A_full_buffer_is_reported_as_dropped()
    {
        var small = new MeteringBuffer(Options.Create(new MeteringOptions { MaxPendingEntries = 100 }));
        var meter = new DownloadMeter(small, new GatewayMetrics(_services.GetRequiredService<IMeterFactory>()), _clock, new DownloadEventQueue(new CapturingWebhookPublisher()));
        for (var i = 0; i < 101; i++)
        {
            meter.DownloadStarted(Proxy with { Code = $"code{i}" });
        }

        Assert.Equal(100, small.Count);
        Assert.Equal(1, small.TakeDropped());
        Assert.Equal(1, _measurements.Where(m => m.Instrument == "gateway.metering.dropped").Sum(m => m.Value));
    }

    private sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
