using System.Text.Json.Nodes;

namespace Gateway.Webhooks;

/// <summary>
/// The publisher while no delivery machinery is registered: nobody listens, so the download path
/// builds nothing and link events go nowhere. Registered only if no other publisher is
/// (<see cref="WebhookEventRegistration.AddWebhookEvents"/>).
/// </summary>
internal sealed class NoWebhookPublisher : IWebhookPublisher
{
    public bool WantsDownloadEvents => false;

    public void Publish(string type, JsonObject data)
    {
    }
}
