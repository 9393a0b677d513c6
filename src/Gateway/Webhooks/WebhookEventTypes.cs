using System.Collections.Frozen;

namespace Gateway.Webhooks;

/// <summary>The events an endpoint may subscribe to (by name, or all with <c>*</c>).</summary>
internal static class WebhookEventTypes
{
    public const string LinkCreated = "link.created";
    public const string LinkUpdated = "link.updated";
    public const string LinkRevoked = "link.revoked";
    public const string LinkRestored = "link.restored";
    public const string LinkDeleted = "link.deleted";

    /// <summary>The download that used up the link's last allowed download (the count reached maxDownloads).</summary>
    public const string LinkExhausted = "link.exhausted";

    /// <summary>The first request refused because the link had expired (once per link; there is no sweep).</summary>
    public const string LinkExpired = "link.expired";

    public const string DownloadCompleted = "download.completed";
    public const string DownloadAborted = "download.aborted";

    /// <summary>Sent only by <c>POST /api/v1/webhooks/{id}/ping</c>, to that endpoint, whatever it subscribes to.</summary>
    public const string Ping = "ping";

    public const string Wildcard = "*";

    /// <summary>Every type an endpoint can subscribe to (ping is not one: it is always delivered when asked for).</summary>
    public static readonly FrozenSet<string> Subscribable = FrozenSet.Create(
        StringComparer.Ordinal,
        LinkCreated,
        LinkUpdated,
        LinkRevoked,
        LinkRestored,
        LinkDeleted,
        LinkExhausted,
        LinkExpired,
        DownloadCompleted,
        DownloadAborted);

    public static bool IsDownloadEvent(string type) => type is DownloadCompleted or DownloadAborted;
}
