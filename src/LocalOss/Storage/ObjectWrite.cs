using LocalOss.Throttling;

namespace LocalOss.Storage;

/// <summary>The metadata a PutObject supplies alongside the body.</summary>
internal sealed class ObjectWrite
{
    public required string ContentType { get; init; }

    public Dictionary<string, string> Headers { get; init; } = [];

    /// <summary>The MD5 the client declared in Content-MD5; the upload fails when the body does not match.</summary>
    public byte[]? ExpectedMd5 { get; init; }

    /// <summary>x-oss-forbid-overwrite: refuse to replace an existing object (only in a bucket that never had versioning, as in OSS).</summary>
    public bool ForbidOverwrite { get; init; }

    /// <summary>Reads the body no faster than an x-oss-traffic-limit allows; null reads it as fast as it comes.</summary>
    public TransferPacer? Pacer { get; init; }
}

internal enum ObjectWriteStatus
{
    Stored,
    DigestMismatch,
    AlreadyExists,
    TooLarge,
}

/// <param name="Versioning">The bucket's versioning state the write was published under; null for a bucket that never had versioning.</param>
internal readonly record struct ObjectWriteResult(ObjectWriteStatus Status, ObjectMetadata? Metadata, LocalOssVersioningStatus? Versioning = null);

/// <summary>What a permanent delete of one version removed.</summary>
/// <param name="DeleteMarker">The removed version was a delete marker (OSS then answers x-oss-delete-marker: true).</param>
internal readonly record struct VersionDeleteResult(bool DeleteMarker);
