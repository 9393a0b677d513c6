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
