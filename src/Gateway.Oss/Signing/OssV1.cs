using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Oss.Signing;

/// <summary>The legacy V1 scheme (HMAC-SHA1, SIGNING.md §10).</summary>
internal static class OssV1
{
    public const string AccessKeyIdParameter = "OSSAccessKeyId";
    public const string ExpiresParameter = "Expires";
    public const string SignatureParameter = "Signature";
    public const string SecurityTokenParameter = "security-token";
    public const string DateHeader = "x-oss-date";
    public const string SecurityTokenHeader = "x-oss-security-token";

    /// <summary>Query parameters signed as sub-resources: the union of the PY1, GO2 and NODE lists. Any x-oss-* parameter is
    /// signed too (GO2); ordinary listing parameters (prefix, marker, ...) are not.</summary>
    private static readonly FrozenSet<string> SubResources = FrozenSet.Create(StringComparer.Ordinal,
    [
        "acl", "uploads", "location", "cors", "logging", "website", "referer", "lifecycle", "delete", "append", "tagging",
        "objectMeta", "uploadId", "partNumber", "security-token", "position", "img", "style", "styleName", "replication",
        "replicationProgress", "replicationLocation", "cname", "bucketInfo", "comp", "qos", "live", "status", "vod",
        "startTime", "endTime", "symlink", "x-oss-process", "response-content-type", "response-content-language",
        "response-expires", "response-cache-control", "response-content-disposition", "response-content-encoding",
        "udf", "udfName", "udfImage", "udfId", "udfImageDesc", "udfApplication", "udfApplicationLog", "restore", "callback",
        "callback-var", "policy", "stat", "encryption", "versions", "versioning", "versionId", "requestPayment",
        "x-oss-request-payer", "sequential", "inventory", "inventoryId", "continuation-token", "asyncFetch", "worm",
        "wormId", "wormExtend", "withHashContext", "x-oss-enable-md5", "x-oss-enable-sha1", "x-oss-enable-sha256",
        "x-oss-hash-ctx", "x-oss-md5-ctx", "transferAcceleration", "regionList", "cloudboxes", "x-oss-ac-source-ip",
        "x-oss-ac-subnet-mask", "x-oss-ac-vpc-id", "x-oss-ac-forward-allow", "metaQuery", "resourceGroup", "rtc",
        "x-oss-traffic-limit", "x-oss-async-process", "objectInfo", "group", "link", "qosInfo",
    ]);

    public static bool IsSubResource(string name) => SubResources.Contains(name) || name.StartsWith("x-oss-", StringComparison.Ordinal);

    /// <summary>Builds <c>VERB\nContent-MD5\nContent-Type\nDATE\nCanonicalizedOSSHeaders CanonicalizedResource</c>.</summary>
    /// <param name="headers">All headers of the request (any case); Content-MD5, Content-Type and x-oss-* are picked out.</param>
    /// <param name="date">The Date line: the x-oss-date or Date header (header form) or the Expires value (query form).</param>
    /// <param name="query">Decoded query parameters; only sub-resources are signed, with raw (decoded) values.</param>
    public static string BuildStringToSign(string method, IReadOnlyList<HeaderField> headers, string date, string bucket, string key, IReadOnlyList<KeyValuePair<string, string>> query)
    {
        var contentMd5 = string.Empty;
        var contentType = string.Empty;
        var ossHeaders = new List<HeaderField>();
        foreach (var header in headers)
        {
            if (AsciiText.StartsWithLower(header.Name, "x-oss-"))
            {
                ossHeaders.Add(header);
            }
            else if (AsciiText.EqualsLower(header.Name, "content-md5"))
            {
                contentMd5 = AsciiText.TrimHeaderValue(header.Value).ToString();
            }
            else if (AsciiText.EqualsLower(header.Name, "content-type"))
            {
                contentType = AsciiText.TrimHeaderValue(header.Value).ToString();
            }
        }

        var sortedHeaders = ossHeaders.ToArray();
        V4CanonicalRequest.SortHeaders(sortedHeaders);

        var builder = new StringBuilder(256);
        builder.Append(method).Append('\n').Append(contentMd5).Append('\n').Append(contentType).Append('\n').Append(date).Append('\n');
        for (var i = 0; i < sortedHeaders.Length; i++)
        {
            if (i > 0 && AsciiText.CompareLowerOrdinal(sortedHeaders[i - 1].Name, sortedHeaders[i].Name) == 0)
            {
                builder.Length--;
                builder.Append(',');
            }
            else
            {
                builder.Append(AsciiText.ToLower(sortedHeaders[i].Name)).Append(':');
            }

            builder.Append(AsciiText.TrimHeaderValue(sortedHeaders[i].Value)).Append('\n');
        }

        builder.Append('/');
        if (bucket.Length > 0)
        {
            builder.Append(bucket).Append('/').Append(key);
        }

        var subResources = new List<KeyValuePair<string, string>>();
        foreach (var parameter in query)
        {
            if (IsSubResource(parameter.Key))
            {
                subResources.Add(parameter);
            }
        }

        subResources.Sort(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Key, b.Key);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        for (var i = 0; i < subResources.Count; i++)
        {
            builder.Append(i == 0 ? '?' : '&').Append(subResources[i].Key);
            if (!string.IsNullOrEmpty(subResources[i].Value))
            {
                builder.Append('=').Append(subResources[i].Value);
            }
        }

        return builder.ToString();
    }

    /// <summary>base64(HMAC-SHA1(secret, string to sign)).</summary>
    public static string ComputeSignature(string secret, string stringToSign)
    {
        Span<byte> mac = stackalloc byte[HMACSHA1.HashSizeInBytes];
        HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(stringToSign), mac);
        return Convert.ToBase64String(mac);
    }
}
