namespace Gateway.Webhooks;

/// <summary>
/// What the events carry, from the <c>Gateway:Webhooks</c> section (the delivery machinery reads its
/// own settings from the same section).
/// </summary>
internal sealed class WebhookEventOptions
{
    public const string SectionName = "Gateway:Webhooks";

    /// <summary>
    /// Put the downloading client's IP address into <c>download.*</c> events. Off by default: it is
    /// personal data, and a receiver should get it only when its operator chose to send it.
    /// </summary>
    public bool IncludeClientAddress { get; set; }
}
