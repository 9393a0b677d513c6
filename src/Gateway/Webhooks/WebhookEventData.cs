using System.Text.Json.Nodes;
using Gateway.Links;

namespace Gateway.Webhooks;

/// <summary>
/// The <c>data</c> object of each event, built in one place so every event of a kind has the same shape.
/// A payload is <c>{"type": …, "timestamp": …, "data": …}</c>; the link's code is always <c>data.code</c>.
/// </summary>
internal static class WebhookEventData
{
    /// <summary>link.created / updated / revoked / restored / exhausted / expired: the link as the admin API shows it, minus counters.</summary>
    public static JsonObject ForLink(Link link)
    {
        var tags = new JsonArray();
        foreach (var tag in link.Tags)
        {
            tags.Add(tag);
        }

        return new JsonObject
        {
            ["code"] = link.Code,
            ["bucket"] = link.Bucket,
            ["key"] = link.Key,
            ["state"] = link.State == LinkState.Revoked ? "revoked" : "active",
            ["mode"] = LinkHash.Format(link.Mode),
            ["expiresAt"] = link.ExpiresAt,
            ["maxDownloads"] = link.MaxDownloads,
            ["tags"] = tags,
        };
    }

    /// <summary>link.deleted: what is left of a link once it is gone.</summary>
    public static JsonObject ForDeletedLink(string code, string bucket, string key) => new()
    {
        ["code"] = code,
        ["bucket"] = bucket,
        ["key"] = key,
    };
}
