using System.Collections.Frozen;

namespace LocalOss.Http;

/// <summary>
/// Query parameters that select another OSS operation on the same path (ACLs, multipart upload, tagging,
/// image processing, ...). LocalOss refuses them with 501 rather than quietly running the plain object
/// operation: <c>PUT key?acl</c> must never overwrite the object with an ACL document. Any other parameter
/// (signature parameters, <c>response-*</c> overrides, <c>versionId</c>, cache busters) is not one of these.
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
        "uploads", "versioning", "versions", "vod", "website", "worm", "wormExtend", "wormId",
        "x-oss-async-process", "x-oss-process");

    /// <summary>The first unsupported sub-resource in the query, or null.</summary>
    public static string? FindUnsupported(IReadOnlyList<KeyValuePair<string, string>> query)
    {
        for (var i = 0; i < query.Count; i++)
        {
            if (Unsupported.Contains(query[i].Key))
            {
                return query[i].Key;
            }
        }

        return null;
    }
}
