using LocalOss.Http;
using Microsoft.Net.Http.Headers;

namespace LocalOss.Errors;

/// <summary>
/// One OSS error response: HTTP status, <c>Code</c>, <c>Message</c>, the <c>EC</c> diagnostic code and any
/// code-specific elements (oss/SIGNING.md §9). The factories use OSS's own wording and, where an EC was
/// seen in real OSS responses, that EC; the others carry <see cref="UnknownEc"/> instead of an invented one.
/// </summary>
internal sealed record OssError(int StatusCode, string Code, string Message, string Ec, IReadOnlyList<KeyValuePair<string, string>> Details)
{
    /// <summary>Marks an error whose real EC we have not seen; clients parse Code, never EC, to decide.</summary>
    public const string UnknownEc = "0000-00000000";

    public OssError(int statusCode, string code, string message, string ec = UnknownEc)
        : this(statusCode, code, message, ec, [])
    {
    }

    /// <summary>Response headers the error carries besides the standard ones (e.g. Content-Range on 416).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public static OssError NoSuchKey(string key) =>
        new(404, "NoSuchKey", "The specified key does not exist.", "0026-00000001", [new("Key", key)]);

    public static OssError NoSuchBucket(string bucket) =>
        new(404, "NoSuchBucket", "The specified bucket does not exist.", "0015-00000101", [new("BucketName", bucket)]);

    public static OssError NoSuchVersion(string key, string versionId) =>
        new(404, "NoSuchVersion", "The specified version does not exist.", UnknownEc, [new("Key", key), new("VersionId", versionId)]);

    /// <summary>GET or HEAD without a version id when the current version is a delete marker (OSS GetObject doc sample).</summary>
    public static OssError NoSuchKeyBehindDeleteMarker(string key, string markerVersionId) =>
        NoSuchKey(key) with { Headers = [new(OssHeaders.DeleteMarker, "true"), new(OssHeaders.VersionId, markerVersionId)] };

    /// <summary>GET or HEAD of a version that is a delete marker: 405, and only DELETE is allowed (OSS GetObject doc sample).</summary>
    public static OssError DeleteMarkerNotReadable(string method, string markerVersionId) =>
        MethodNotAllowed(method, "DeleteMarker") with
        {
            Headers = [new(HeaderNames.Allow, "DELETE"), new(OssHeaders.DeleteMarker, "true"), new(OssHeaders.VersionId, markerVersionId)],
        };

    public static OssError AnonymousAccessDenied() =>
        new(403, "AccessDenied", "You have no right to access this object because of bucket acl.", "0003-00000001");

    /// <summary>Temporary credentials past their expiration (EC seen in OSS responses).</summary>
    public static OssError SecurityTokenExpired(string accessKeyId) =>
        new(403, "SecurityTokenExpired", "The security token you provided has expired.", "0002-00000007", [new("OSSAccessKeyId", accessKeyId)]);

    /// <summary>A security token STS did not issue for this access key id, or one since revoked (DOC 0002-00000006).</summary>
    public static OssError InvalidSecurityToken(string accessKeyId) =>
        new(403, "InvalidSecurityToken", "The security token you provided is invalid.", "0002-00000006", [new("OSSAccessKeyId", accessKeyId)]);

    public static OssError InvalidBucketName(string bucket) =>
        new(400, "InvalidBucketName", "The specified bucket is not valid.", UnknownEc, [new("BucketName", bucket)]);

    public static OssError InvalidObjectName(string message) =>
        new(400, "InvalidObjectName", message);

    public static OssError InvalidArgument(string message, string? argumentName = null, string? argumentValue = null) =>
        argumentName is null
            ? new(400, "InvalidArgument", message)
            : new(400, "InvalidArgument", message, UnknownEc, [new("ArgumentName", argumentName), new("ArgumentValue", argumentValue ?? "")]);

    public static OssError InvalidRange(string rangeRequested, long objectSize)
    {
        var size = objectSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new(416, "InvalidRange", "The requested range cannot be satisfied", UnknownEc, [new("RangeRequested", rangeRequested), new("ActualObjectSize", size)])
        {
            Headers = [new("Content-Range", "bytes */" + size)],
        };
    }

    public static OssError PreconditionFailed(string condition) =>
        new(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", UnknownEc, [new("Condition", condition)]);

    public static OssError MethodNotAllowed(string method, string resourceType) =>
        new(405, "MethodNotAllowed", "The specified method is not allowed against this resource.", UnknownEc,
            [new("Method", method), new("ResourceType", resourceType)]);

    /// <summary>PutObject with If-* headers (DOC 0017-00000245).</summary>
    public static OssError ConditionalPutNotImplemented() =>
        new(400, "NotImplemented", "A header you provided implies functionality that is not implemented.", "0017-00000245");

    /// <summary>An OSS feature LocalOss does not emulate (multipart upload, ACLs, listing, ...).</summary>
    public static OssError NotImplemented(string what) =>
        new(501, "NotImplemented", $"LocalOss does not implement {what}.");

    public static OssError InvalidDigest() =>
        new(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");

    public static OssError BadDigest() =>
        new(400, "InvalidDigest", "The Content-MD5 you specified did not match what we received.");

    public static OssError EntityTooLarge(long maxSize) =>
        new(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.", UnknownEc,
            [new("MaxSizeAllowed", maxSize.ToString(System.Globalization.CultureInfo.InvariantCulture))]);

    public static OssError FileAlreadyExists() =>
        new(409, "FileAlreadyExists", "The object you specified already exists and can not be overwritten.");

    public static OssError MalformedXml() =>
        new(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");

    /// <summary>x-oss-traffic-limit out of range or not an integer (DOC 0004-00000502).</summary>
    public static OssError InvalidTrafficLimit(string value) =>
        new(400, "InvalidArgument", "x-oss-traffic-limit must be an integer number of bit/s from 245760 to 838860800.", "0004-00000502",
            [new("ArgumentName", Throttling.TrafficLimit.Name), new("ArgumentValue", value)]);

    public static OssError InvalidSourceIp(string value) =>
        new(400, "InvalidArgument", "x-oss-ac-source-ip must be an IPv4 or IPv6 address.", UnknownEc,
            [new("ArgumentName", "x-oss-ac-source-ip"), new("ArgumentValue", value)]);

    /// <summary>x-oss-ac-subnet-mask that is not a prefix length of the source IP's family (DOC 0002-00000601).</summary>
    public static OssError InvalidSubnetMask(string value) =>
        new(400, "InvalidArgument", "x-oss-ac-subnet-mask must be the number of leading 1 bits: 0 to 32 for IPv4, 0 to 128 for IPv6.", "0002-00000601",
            [new("ArgumentName", "x-oss-ac-subnet-mask"), new("ArgumentValue", value)]);

    public static OssError SourceIpDenied() =>
        new(403, "AccessDenied", "The request source IP does not match the signature's source IP restriction.");

    public static OssError VpcDenied() =>
        new(403, "AccessDenied", "The request does not come from the VPC the signature is restricted to.");

    public static OssError InternalError() =>
        new(500, "InternalError", "We encountered an internal error. Please try again.");
}
