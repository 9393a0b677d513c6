using System.Text.Json.Nodes;
using Gateway.Links;
using Gateway.Metering;

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

    /// <summary>link.updated: the link as it is after the change, and the names of the fields the change rewrote (as the admin API names them).</summary>
    public static JsonObject ForUpdatedLink(Link link, IReadOnlyCollection<string> changed)
    {
        var data = ForLink(link);
        var names = new JsonArray();
        foreach (var field in changed)
        {
            names.Add(field);
        }

        data["changed"] = names;
        return data;
    }

    /// <summary>
    /// download.completed / download.aborted, from the metering record of one finished GET.
    /// <paramref name="tags"/> is the link's stored tags (JSON array text; null when it has none),
    /// read when the event is built, since the download path reads links without their tags.
    /// </summary>
    /// <param name="tagsKnown">False when the store could not be read: <c>tags</c> is then null rather than a wrong empty list.</param>
    public static JsonObject ForDownload(in DownloadRecord record, string? tags, bool tagsKnown, bool includeClientAddress)
    {
        var link = record.Link;
        var data = new JsonObject
        {
            ["code"] = link.Code,
            ["bucket"] = link.Bucket,
            ["key"] = link.Key,
            ["tags"] = !tagsKnown ? null : tags is null ? new JsonArray() : JsonNode.Parse(tags),
            ["status"] = record.StatusCode,
            ["range"] = record.Range.Count == 0 ? null : record.Range.ToString(),
            ["bytesSent"] = record.BytesSent,
            ["durationMs"] = (long)Math.Round(record.Duration.TotalMilliseconds, MidpointRounding.AwayFromZero),
        };
        if (includeClientAddress && record.Client is { } client)
        {
            // As the allow-lists see it: a dual-stack socket's ::ffff:10.1.2.3 is 10.1.2.3.
            data["clientAddress"] = (client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client).ToString();
        }

        return data;
    }

    /// <summary>The event type of a download's outcome; null for an outcome that raises none (no object bytes were due).</summary>
    public static string? DownloadEventType(DownloadOutcome outcome) => outcome switch
    {
        DownloadOutcome.Completed => WebhookEventTypes.DownloadCompleted,
        DownloadOutcome.Aborted => WebhookEventTypes.DownloadAborted,
        _ => null,
    };
}
