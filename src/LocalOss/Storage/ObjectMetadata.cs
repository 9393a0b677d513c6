using System.Text.Json.Serialization;

namespace LocalOss.Storage;

/// <summary>What LocalOss keeps about an object besides its bytes.</summary>
internal sealed class ObjectMetadata
{
    /// <summary>The object key, kept so a stored file can be checked against the key that led to it.</summary>
    public required string Key { get; init; }

    public required long Size { get; init; }

    /// <summary>Upper-case hex MD5 of the content, without quotes (OSS's ETag for a simple upload).</summary>
    public required string ETag { get; init; }

    /// <summary>Whole seconds: HTTP dates carry no fractions, and conditionals compare against them.</summary>
    public required DateTimeOffset LastModified { get; init; }

    public required string ContentType { get; init; }

    /// <summary>Headers given at upload that OSS returns on reads: Cache-Control, Content-Disposition, x-oss-meta-*, ...</summary>
    public Dictionary<string, string> Headers { get; init; } = [];

    [JsonIgnore]
    public string QuotedETag => $"\"{ETag}\"";
}

[JsonSerializable(typeof(ObjectMetadata))]
internal sealed partial class ObjectMetadataJsonContext : JsonSerializerContext;
