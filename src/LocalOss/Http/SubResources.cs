using System.Collections.Frozen;

namespace LocalOss.Http;

/// <summary>
/// Query parameters that select another OSS operation on the same path (ACLs, multipart upload, tagging,
/// image processing, ...). LocalOss refuses them with 501 rather than quietly running the plain object
/// operation: <c>PUT key?acl</c> must never overwrite the object with an ACL document. Any other parameter
/// (signature parameters, <c>response-*</c> overrides, <c>versionId</c>, <c>x-oss-traffic-limit</c>,
/// <c>x-oss-ac-*</c>, cache busters) is not one of these. <c>versioning</c> is emulated on a bucket only.
/// </summary>
internal static class SubResources
{
    private static readonly FrozenSet<string> Unsupported = FrozenSet.Create(
        StringComparer.Ordinal,
        "acl", "append", "asyncFetch", "bucketInfo", "callback", "callback-var", "cname", "comp", "cors",
        "delete", "encryption", "inventory", "inventoryId", "lifecycle", "live", "location", "logging",
        "metaQuery", "objectInfo", "objectMeta", "partNumber", "policy", "position", "qos", "qosInfo",
        "referer", "replication", "replicationLocation", "replicationProgress", "requestPayment",
        "resourceGroup", "restore", "rtc", "stat", "symlink", "tagging", "transferAcceleration", "uploadId",
        "uploads", "versions", "vod", "website", "worm", "wormExtend", "wormId",
        "x-oss-async-process", "x-oss-process");

    // Bucket operations LocalOss emulates; on an object they would select an operation it does not have.
    private static readonly FrozenSet<string> BucketOnly = FrozenSet.Create(StringComparer.Ordinal, "versioning");

    /// <summary>The first unsupported sub-resource in the query, or null.</summary>
    /// <param name="onBucket">The request addresses a bucket, not an object.</param>
    public static string? FindUnsupported(IReadOnlyList<KeyValuePair<string, string>> query, bool onBucket)
    {
        for (var i = 0; i < query.Count; i++)
        {
            var name = query[i].Key;
            if (Unsupported.Contains(name) || (!onBucket && BucketOnly.Contains(name)))
            {
                return name;
            }
        }

        return null;
    }
}
