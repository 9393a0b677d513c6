using System.Text.Json.Nodes;
using System.Threading.Channels;
using Gateway.Telemetry;
using Microsoft.Extensions.Options;

namespace Gateway.Webhooks;

/// <summary>An event between <see cref="IWebhookPublisher.Publish"/> and the outbox.</summary>
internal sealed record PendingWebhookEvent(string Type, DateTimeOffset Timestamp, JsonObject Data);

/// <summary>
/// The publisher: stamps the event and puts it in a bounded channel, nothing else. O(1), never waits:
/// when the writer cannot keep up (the store is down) the channel fills and further events are dropped
/// and counted, rather than slowing the caller (a download or an admin call).
/// </summary>
internal sealed class WebhookPublisher : IWebhookPublisher
{
    private readonly Channel<PendingWebhookEvent> _channel;
    private readonly WebhookEndpointCache _endpoints;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;

    public WebhookPublisher(WebhookEndpointCache endpoints, GatewayMetrics metrics, TimeProvider time, IOptions<WebhookOptions> options)
    {
        _endpoints = endpoints;
        _metrics = metrics;
        _time = time;
        _channel = Channel.CreateBounded<PendingWebhookEvent>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    public bool WantsDownloadEvents => _endpoints.WantsDownloadEvents;

    public ChannelReader<PendingWebhookEvent> Reader => _channel.Reader;

    public void Publish(string type, JsonObject data)
    {
        // With FullMode.Wait, TryWrite fails instead of waiting or evicting: the newest event is the one dropped.
        if (!_channel.Writer.TryWrite(new PendingWebhookEvent(type, _time.GetUtcNow(), data)))
        {
            _metrics.WebhookDropped("queue_full");
        }
    }

    /// <summary>No more events after shutdown began; the writer drains what is queued.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
