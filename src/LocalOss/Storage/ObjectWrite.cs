namespace LocalOss.Storage;

/// <summary>The metadata a PutObject supplies alongside the body.</summary>
internal sealed class ObjectWrite
{
    public required string ContentType { get; init; }

    public Dictionary<string, string> Headers { get; init; } = [];

    /// <summary>The MD5 the client declared in Content-MD5; the upload fails when the body does not match.</summary>
    public byte[]? ExpectedMd5 { get; init; }

    /// <summary>x-oss-forbid-overwrite: refuse to replace an existing object.</summary>
    public bool ForbidOverwrite { get; init; }
}

internal enum ObjectWriteStatus
{
    Stored,
    DigestMismatch,
    AlreadyExists,
    TooLarge,
}

internal readonly record struct ObjectWriteResult(ObjectWriteStatus Status, ObjectMetadata? Metadata);
