using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Presign;

/// <summary>
/// Body of <c>POST /api/v1/presign</c>, and what the <c>presign</c> command builds from its options:
/// a raw OSS V4 presigned URL as the SDKs' sign_url makes it. Unknown members are refused.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class PresignRequest
{
    /// <summary>Bucket alias from the gateway's configuration.</summary>
    public string? Bucket { get; set; }

    /// <summary>Object key, 1-1023 UTF-8 bytes, not starting with '/' or '\'.</summary>
    public string? Key { get; set; }

    /// <summary>GET (default), HEAD, PUT or DELETE. The method is signed: a URL for GET cannot be used to PUT.</summary>
    public string? Method { get; set; }

    /// <summary>Lifetime in seconds, 1 to 604800 (7 days); default 900.</summary>
    public long? Expires { get; set; }

    /// <summary>A version of the object (GET, HEAD, DELETE).</summary>
    public string? VersionId { get; set; }

    /// <summary>
    /// Headers the user of the URL must send with exactly these values, and that are signed:
    /// Content-Type, Content-MD5, x-oss-meta-*, other x-oss-* headers, and further ones such as
    /// Content-Disposition or Cache-Control (signed as V4 additional headers).
    /// </summary>
    public Dictionary<string, string>? Headers { get; set; }

    /// <summary>Bandwidth cap in bit/s, 819200-838860800 (x-oss-traffic-limit; GET and PUT).</summary>
    public long? TrafficLimit { get; set; }

    /// <summary>Only this client address may use the URL (x-oss-ac-source-ip).</summary>
    public string? SourceIp { get; set; }

    /// <summary>Leading bits of <see cref="SourceIp"/> that must match (x-oss-ac-subnet-mask): 0-32 for IPv4, 0-128 for IPv6.</summary>
    public int? SubnetMask { get; set; }

    /// <summary>Only requests from this VPC may use the URL (x-oss-ac-vpc-id), e.g. vpc-bp1example.</summary>
    public string? VpcId { get; set; }

    /// <summary>Let OSS take the client address from X-Forwarded-For when checking <see cref="SourceIp"/> (x-oss-ac-forward-allow).</summary>
    public bool? ForwardAllow { get; set; }

    /// <summary>Content-Type of the response (response-content-type; GET and HEAD).</summary>
    public string? ResponseContentType { get; set; }

    /// <summary>Content-Disposition of the response (response-content-disposition).</summary>
    public string? ResponseContentDisposition { get; set; }

    /// <summary>Cache-Control of the response (response-cache-control).</summary>
    public string? ResponseCacheControl { get; set; }

    /// <summary>Expires header of the response (response-expires), an HTTP date.</summary>
    public string? ResponseExpires { get; set; }

    /// <summary>Content-Language of the response (response-content-language).</summary>
    public string? ResponseContentLanguage { get; set; }

    /// <summary>Content-Encoding of the response (response-content-encoding).</summary>
    public string? ResponseContentEncoding { get; set; }
}

/// <summary>A presigned URL: use it with <c>method</c> before <c>expiration</c>, sending each of <c>signedHeaders</c> with exactly its value.</summary>
internal sealed record PresignResponse(string Url, string Method, DateTimeOffset Expiration, IReadOnlyDictionary<string, string> SignedHeaders);

[JsonSerializable(typeof(PresignRequest))]
[JsonSerializable(typeof(PresignResponse))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
internal sealed partial class PresignJsonContext : JsonSerializerContext;
