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

    /// <summary>The id of a version written while the bucket had versioning enabled; null for the "null" version.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? VersionId { get; init; }

    /// <summary>
    /// Where the "null" version stands among the key's other versions (see <see cref="VersionIds"/>); 0 for an
    /// object written before the bucket had versioning, which is older than every version since.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long Sequence { get; init; }

    /// <summary>A delete marker: no content, and reads answer as if the object did not exist.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool DeleteMarker { get; init; }

    /// <summary>The value of <c>x-oss-version-id</c> for this version in a bucket with versioning.</summary>
    [JsonIgnore]
    public string VersionIdHeader => VersionId ?? VersionIds.Null;

    [JsonIgnore]
    public string QuotedETag => $"\"{ETag}\"";
}

[JsonSerializable(typeof(ObjectMetadata))]
internal sealed partial class ObjectMetadataJsonContext : JsonSerializerContext;
