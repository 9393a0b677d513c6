using System.Text.Json.Nodes;

namespace Gateway.Webhooks;

/// <summary>
/// Where the rest of the gateway hands events to the webhook machinery. Never waits on the store or a
/// receiver: an event goes into a bounded in-memory queue that a background writer moves into the
/// durable outbox in Redis; a full queue drops the event and counts it (gateway_webhook_dropped).
/// </summary>
internal interface IWebhookPublisher
{
    /// <summary>
    /// True when at least one enabled endpoint subscribes to a <c>download.*</c> event (refreshed from the
    /// store every few seconds): the metering path builds no event at all otherwise.
    /// </summary>
    bool WantsDownloadEvents { get; }

    /// <summary>Queues an event for every enabled endpoint subscribed to <paramref name="type"/>. Thread-safe, non-blocking.</summary>
    /// <param name="type">One of <see cref="WebhookEventTypes"/>.</param>
    /// <param name="data">The payload's <c>data</c> object (see <see cref="WebhookEventData"/>).</param>
    void Publish(string type, JsonObject data);
}
