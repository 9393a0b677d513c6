namespace Gateway.Webhooks;

/// <summary>What a webhook audit entry records (the endpoint's id is in <c>details.webhook</c>).</summary>
internal static class WebhookAuditActions
{
    public const string Create = "webhook.create";
    public const string Update = "webhook.update";
    public const string Delete = "webhook.delete";
    public const string RotateSecret = "webhook.rotate-secret";
    public const string Redeliver = "webhook.redeliver";
    public const string Ping = "webhook.ping";

    /// <summary>Written by the gateway itself (actor <c>gateway</c>) when an endpoint kept failing.</summary>
    public const string Disable = "webhook.disable";
}
