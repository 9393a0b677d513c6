namespace Gateway.Links;

/// <summary>What a short link points at and the policy it is served under.</summary>
internal sealed record Link
{
    public required string Code { get; init; }

    /// <summary>The bucket alias from configuration, not the OSS bucket name.</summary>
    public required string Bucket { get; init; }

    public required string Key { get; init; }

    public string? VersionId { get; init; }

    /// <summary>Name offered to the client in Content-Disposition; defaults to the key's last segment.</summary>
    public string? Filename { get; init; }

    public ContentDispositionType Disposition { get; init; } = ContentDispositionType.Attachment;

    /// <summary>Overrides the Content-Type stored with the object.</summary>
    public string? ContentType { get; init; }

    public DeliveryMode Mode { get; init; } = DeliveryMode.Proxy;

    /// <summary>Downloads before this instant get 410 "not yet available".</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Downloads from this instant on get 410 "expired".</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>How many download sessions the link serves; null for no limit.</summary>
    public long? MaxDownloads { get; init; }

    /// <summary>Download sessions counted against <see cref="MaxDownloads"/> so far.</summary>
    public long UsedDownloads { get; init; }

    /// <summary>Client networks allowed to download (CIDR); empty means everyone.</summary>
    public IReadOnlyList<string> AllowedCidrs { get; init; } = [];

    /// <summary>Per-connection bandwidth cap in bit/s, enforced by OSS (x-oss-traffic-limit).</summary>
    public long? TrafficLimit { get; init; }

    /// <summary>Redirect mode: bind the presigned URL to the clicking client's IP (x-oss-ac-source-ip).</summary>
    public bool BindClientIp { get; init; }

    /// <summary>
    /// The object's ETag when the link was created with <c>pinEtag</c>: every download is sent with
    /// If-Match, so a changed object is never served (and a resume never mixes two versions).
    /// </summary>
    public string? PinnedETag { get; init; }

    public LinkState State { get; init; } = LinkState.Active;

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Name of the API key that created the link.</summary>
    public string? Owner { get; init; }

    public string? Note { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];
}

internal enum LinkState
{
    Active,
    Revoked,
}

internal enum DeliveryMode
{
    Proxy,
    Redirect,
}

internal enum ContentDispositionType
{
    Attachment,
    Inline,
}

/// <summary>Per-link counters kept beside the link.</summary>
internal readonly record struct LinkCounters(long Downloads, long Bytes);
