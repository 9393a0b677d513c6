using StackExchange.Redis;

namespace Gateway.Webhooks;

/// <summary>
/// Key layout of the webhooks. Every key carries the <c>{webhooks}</c> hash tag, so they all live in one
/// Redis Cluster slot and any script may touch any of them (PITFALLS 17). Webhook traffic is small next to
/// downloads; one slot is plenty and keeps the outbox scripts atomic. No streams: Garnet has none.
/// </summary>
internal static class WebhookKeys
{
    /// <summary>Sorted set of endpoint ids by creation time (ms).</summary>
    public static readonly RedisKey Endpoints = "gw:{webhooks}:endpoints";

    /// <summary>Sorted set of delivery job ids scored by their next attempt (unix ms); a claimed job is scored at its lease's end.</summary>
    public static readonly RedisKey Queue = "gw:{webhooks}:queue";

    /// <summary>Hash: job id → "endpointId eventId type attempts firstEnqueuedMs".</summary>
    public static readonly RedisKey Jobs = "gw:{webhooks}:jobs";

    /// <summary>Hash: endpoint id → unix ms of the first failure in its current run of failures.</summary>
    public static readonly RedisKey Failing = "gw:{webhooks}:failing";

    /// <summary>Hash of one endpoint: url, events, description, enabled, createdAt, secret, previousSecret, previousSecretUntil.</summary>
    public static RedisKey Endpoint(string id) => $"gw:{{webhooks}}:endpoint:{id}";

    /// <summary>String: the exact body of one event, signed and sent on every attempt. Expires after the retries (and a day for redelivery).</summary>
    public static RedisKey Event(string eventId) => $"gw:{{webhooks}}:event:{eventId}";

    /// <summary>List of an endpoint's recent delivery attempts (JSON), newest first.</summary>
    public static RedisKey Deliveries(string id) => $"gw:{{webhooks}}:deliveries:{id}";
}
