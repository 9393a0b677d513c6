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

    /// <summary>The credentials the upstream request was signed with.</summary>
    public Oss.OssCredentials? SignedWith { get; set; }

    /// <summary>There were no credentials to sign with; nothing went upstream.</summary>
    public Oss.OssCredentialsUnavailableException? CredentialsUnavailable { get; set; }

    /// <summary>OSS refused <see cref="SignedWith"/> (InvalidAccessKeyId, SecurityTokenExpired, InvalidSecurityToken); nothing was sent to the client.</summary>
    public bool CredentialsRejected { get; set; }

    /// <summary>This is the one retry after a rejection of the credentials.</summary>
    public bool IsRetryAfterRejection { get; private set; }

    /// <summary>Resets what the refused attempt set, for the one retry with renewed credentials.</summary>
    public void PrepareRetryAfterRejection()
    {
        CredentialsRejected = false;
        IsRetryAfterRejection = true;
        UpstreamStatus = 0;
        ServesBody = false;
        ClientSentPrecondition = false;
        TimeToFirstByte = null;
    }
}
