using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Gateway.Webhooks;

/// <summary>Body of <c>POST /api/v1/webhooks</c>. <c>events</c>: names from the subscribable types, or <c>*</c>.</summary>
internal sealed record CreateWebhookRequest(string? Url, string[]? Events, string? Description, bool? Enabled);

/// <summary>Body of <c>PATCH /api/v1/webhooks/{id}</c>: absent members stay as they are; an empty description removes it.</summary>
internal sealed record PatchWebhookRequest(string? Url, string[]? Events, string? Description, bool? Enabled);

/// <summary>An endpoint as the API shows it. <c>secret</c> only in the answers of create and rotate-secret.</summary>
internal sealed record WebhookResponse(
    string Id,
    string Url,
    IReadOnlyList<string> Events,
    string? Description,
    bool Enabled,
    DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? PreviousSecretExpiresAt)
{
    public static WebhookResponse From(WebhookEndpoint endpoint, DateTimeOffset now, bool withSecret = false) => new(
        endpoint.Id,
        endpoint.Url.OriginalString,
        endpoint.Events,
        endpoint.Description,
        endpoint.Enabled,
        endpoint.CreatedAt,
        withSecret ? endpoint.Secret : null,
        endpoint.PreviousSecret is not null && endpoint.PreviousSecretUntil > now ? endpoint.PreviousSecretUntil : null);
}

internal sealed record WebhookListResponse(IReadOnlyList<WebhookResponse> Items);

internal sealed record WebhookDeliveriesResponse(IReadOnlyList<WebhookDeliveryAttempt> Items);

/// <summary>Answer of ping and redeliver: the event queued (its <c>webhook-id</c>).</summary>
internal sealed record WebhookQueuedResponse(string EventId, string Type);

[JsonSerializable(typeof(CreateWebhookRequest))]
[JsonSerializable(typeof(PatchWebhookRequest))]
[JsonSerializable(typeof(WebhookResponse))]
[JsonSerializable(typeof(WebhookListResponse))]
[JsonSerializable(typeof(WebhookDeliveriesResponse))]
[JsonSerializable(typeof(WebhookQueuedResponse))]
[JsonSerializable(typeof(WebhookDeliveryAttempt))]
[JsonSerializable(typeof(JsonObject))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
