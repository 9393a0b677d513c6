using Gateway.Buckets;
using Gateway.Links;

namespace Gateway.Downloads;

/// <summary>
/// The resolved link and bucket of one download, carried on the HttpContext so the forwarder's
/// single shared transformer can reach them without a per-request transformer instance.
/// </summary>
internal sealed class DownloadFeature(Link link, OssBucket bucket)
{
    public Link Link { get; } = link;

    public OssBucket Bucket { get; } = bucket;

    /// <summary>The query sent upstream: <c>versionId</c> when the link pins one, otherwise none.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? UpstreamQuery { get; } =
        link.VersionId is { } versionId ? [new("versionId", versionId)] : null;

    /// <summary>Upstream status as received, before the gateway mapped it.</summary>
    public int UpstreamStatus { get; set; }

    /// <summary>True when the client gets the object's bytes (200 or 206), not a gateway answer.</summary>
    public bool ServesBody { get; set; }

    /// <summary>The client sent its own If-Match or If-Unmodified-Since, so an upstream 412 is theirs, not the pin's.</summary>
    public bool ClientSentPrecondition { get; set; }

    /// <summary>Stopwatch timestamp taken when the request was handed to the forwarder.</summary>
    public long ForwardedAt { get; set; }

    /// <summary>From forwarding to the upstream's response headers.</summary>
    public TimeSpan? TimeToFirstByte { get; set; }
}
