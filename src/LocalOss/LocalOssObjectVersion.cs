namespace LocalOss;

/// <summary>What <see cref="LocalOssHost.PutObjectVersionAsync"/> stored.</summary>
/// <param name="ETag">The quoted ETag, as a PutObject response carries it.</param>
/// <param name="VersionId">
/// The <c>x-oss-version-id</c> a PutObject response would carry: the new version's id, <c>"null"</c> in a bucket
/// with suspended versioning, and null in a bucket that never had versioning (OSS sends no header there).
/// </param>
public sealed record LocalOssObjectVersion(string ETag, string? VersionId);
