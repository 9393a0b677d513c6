namespace LocalOss.Http;

/// <summary>Header names OSS uses beyond the standard HTTP ones.</summary>
internal static class OssHeaders
{
    public const string RequestId = "x-oss-request-id";
    public const string Ec = "x-oss-ec";
    public const string Err = "x-oss-err";
    public const string RangeBehavior = "x-oss-range-behavior";
    public const string ForbidOverwrite = "x-oss-forbid-overwrite";
    public const string ObjectType = "x-oss-object-type";
    public const string StorageClass = "x-oss-storage-class";
    public const string UserMetadataPrefix = "x-oss-meta-";
    public const string VersionId = "x-oss-version-id";
    public const string DeleteMarker = "x-oss-delete-marker";
    public const string ServerName = "AliyunOSS";
}
