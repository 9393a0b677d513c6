using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Gateway.Webhooks;

namespace Gateway.Tests.Webhooks;

/// <summary>A publisher that keeps what it is given, for unit tests of what raises events (never in functional tests).</summary>
internal sealed class CapturingWebhookPublisher(bool wantsDownloadEvents = false) : IWebhookPublisher
{
    public bool WantsDownloadEvents { get; set; } = wantsDownloadEvents;

    public ConcurrentQueue<(string Type, JsonObject Data)> Published { get; } = new();

    public void Publish(string type, JsonObject data) => Published.Enqueue((type, data));
}
