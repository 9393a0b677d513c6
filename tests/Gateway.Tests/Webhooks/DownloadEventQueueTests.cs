using System.Diagnostics.Metrics;
using Gateway.Links;
using Gateway.Metering;
using Gateway.Telemetry;
using Gateway.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Webhooks;

public sealed class DownloadEventQueueTests
{
    private static readonly Link Link = new() { Code = "x7Kp2qRt9w", Bucket = "media", Key = "a.bin", CreatedAt = DateTimeOffset.UnixEpoch };

    private static DownloadRecord Record(DownloadOutcome outcome, string method = "GET") =>
        new(Link, method, 200, outcome, 10, TimeSpan.FromSeconds(1), null);

    [Fact]
    public void Nothing_is_queued_while_no_endpoint_wants_download_events()
    {
        var queue = new DownloadEventQueue(new CapturingWebhookPublisher(wantsDownloadEvents: false));

        queue.Offer(Record(DownloadOutcome.Completed));

        Assert.False(queue.Reader.TryRead(out _));
    }

    [Fact]
    public void Completed_and_aborted_downloads_are_queued_and_answers_without_the_object_are_not()
    {
        var queue = new DownloadEventQueue(new CapturingWebhookPublisher(wantsDownloadEvents: true));

        queue.Offer(Record(DownloadOutcome.Completed));
        queue.Offer(Record(DownloadOutcome.NoBody, "HEAD"));
        queue.Offer(Record(DownloadOutcome.NoBody));
        queue.Offer(Record(DownloadOutcome.Aborted));

        Assert.True(queue.Reader.TryRead(out var first));
        Assert.True(queue.Reader.TryRead(out var second));
        Assert.False(queue.Reader.TryRead(out _));
        Assert.Equal((DownloadOutcome.Completed, DownloadOutcome.Aborted), (first.Outcome, second.Outcome));
    }

    [Fact]
    public void A_full_queue_drops_and_counts_instead_of_waiting()
    {
        var queue = new DownloadEventQueue(new CapturingWebhookPublisher(wantsDownloadEvents: true));

        for (var i = 0; i < DownloadEventQueue.Capacity + 3; i++)
        {
            queue.Offer(Record(DownloadOutcome.Completed));
        }

        Assert.Equal(3, queue.TakeDropped());
        Assert.Equal(0, queue.TakeDropped());
    }

    [Fact]
    public void The_meter_offers_finished_GETs_to_the_queue()
    {
        var publisher = new CapturingWebhookPublisher(wantsDownloadEvents: true);
        var queue = new DownloadEventQueue(publisher);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meter = new DownloadMeter(
            new MeteringBuffer(Options.Create(new MeteringOptions())),
            new GatewayMetrics(services.GetRequiredService<IMeterFactory>()),
            TimeProvider.System,
            queue);

        meter.DownloadFinished(Record(DownloadOutcome.Aborted));
        meter.DownloadFinished(Record(DownloadOutcome.NoBody, "HEAD"));

        Assert.True(queue.Reader.TryRead(out var record));
        Assert.Equal(DownloadOutcome.Aborted, record.Outcome);
        Assert.False(queue.Reader.TryRead(out _));
    }
}
