using System.Text.Json.Serialization;

namespace Gateway.Webhooks;

/// <summary>A receiver of events, as stored. <see cref="Events"/> holds type names or <c>*</c>.</summary>
internal sealed record WebhookEndpoint(
    string Id,
    Uri Url,
    IReadOnlyList<string> Events,
    string? Description,
    bool Enabled,
    DateTimeOffset CreatedAt,
    string Secret,
    string? PreviousSecret,
    DateTimeOffset? PreviousSecretUntil)
{
    public bool Subscribes(string type)
    {
        foreach (var subscribed in Events)
        {
            if (subscribed == WebhookEventTypes.Wildcard || subscribed == type)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Without the secrets: a record's generated ToString would print them wherever an endpoint is logged or formatted.</summary>
    public override string ToString() => $"WebhookEndpoint {Id} {Url}";

    /// <summary>The secrets that sign a delivery now: the current one, and the previous one during its grace period.</summary>
    public IReadOnlyList<string> SigningSecrets(DateTimeOffset now) =>
        PreviousSecret is not null && PreviousSecretUntil > now ? [Secret, PreviousSecret] : [Secret];
}

/// <summary>An event to store in the outbox: its body (null for a redelivery of a stored one) and the endpoints it goes to.</summary>
internal sealed record OutboxEvent(string EventId, string Type, byte[]? Body, IReadOnlyList<string> EndpointIds, DateTimeOffset EnqueuedAt);

/// <summary>One delivery job as claimed from the outbox.</summary>
internal sealed record WebhookJob(string JobId, string EndpointId, string EventId, string Type, int Attempts, long FirstEnqueuedMs, long LeaseScore)
{
    public string Format() => Format(EndpointId, EventId, Type, Attempts, FirstEnqueuedMs);

    public static string Format(string endpointId, string eventId, string type, int attempts, long firstEnqueuedMs) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{endpointId} {eventId} {type} {attempts} {firstEnqueuedMs}");

    public static WebhookJob? Parse(string jobId, string value, long leaseScore)
    {
        var parts = value.Split(' ');
        if (parts.Length != 5
            || !int.TryParse(parts[3], System.Globalization.CultureInfo.InvariantCulture, out var attempts)
            || !long.TryParse(parts[4], System.Globalization.CultureInfo.InvariantCulture, out var first))
        {
            return null;
        }

        return new WebhookJob(jobId, parts[0], parts[1], parts[2], attempts, first, leaseScore);
    }
}

/// <summary>One delivery attempt as <c>GET /api/v1/webhooks/{id}/deliveries</c> shows it.</summary>
internal sealed record WebhookDeliveryAttempt(
    string DeliveryId,
    string EventId,
    string Type,
    int Attempt,
    string Result,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? StatusCode,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    long DurationMs,
    DateTimeOffset Timestamp);
