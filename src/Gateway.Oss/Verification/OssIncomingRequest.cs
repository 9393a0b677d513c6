namespace Gateway.Oss.Verification;

/// <summary>A request as an OSS-compatible server received it, after it resolved the bucket and decoded the key.</summary>
public sealed class OssIncomingRequest
{
    /// <summary>The HTTP method as received ("GET", "PUT", ...).</summary>
    public required string Method { get; init; }

    /// <summary>The bucket, resolved by the server from the Host or the path.</summary>
    public required string Bucket { get; init; }

    /// <summary>The decoded object key; "" for a bucket-level request.</summary>
    public required string Key { get; init; }

    /// <summary>Decoded query parameters ('+' as space), in wire order, an empty value as "".</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Query { get; init; }

    /// <summary>Headers as received; a repeated header appears once per value; names in any case.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; }
}
