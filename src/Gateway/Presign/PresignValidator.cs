using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gateway.Admin;
using Gateway.Buckets;
using Gateway.Oss;
using Microsoft.Net.Http.Headers;

namespace Gateway.Presign;

/// <summary>A checked presign request: the bucket to sign for and what to sign.</summary>
internal sealed record PresignPlan(OssBucket Bucket, OssPresignOptions Options);

/// <summary>
/// Turns a presign request into presigner options, field by field, with errors that name the field.
/// The API and the command share it, so a URL the command makes is one the API would make too.
/// </summary>
internal static partial class PresignValidator
{
    public const long DefaultExpiresSeconds = 900;
    public const int MaxHeaders = 32;
    public const int MaxValueLength = 1024;

    private static readonly FrozenSet<string> Methods = FrozenSet.Create(StringComparer.Ordinal, "GET", "HEAD", "PUT", "DELETE");

    // RFC 9110 token characters.
    private static readonly SearchValues<char> TokenCharacters =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <summary>
    /// Headers a caller may not bind into a URL: the signer sets them, the client's HTTP stack owns
    /// them (hop-by-hop), or they have their own field here so they land in the query where OSS reads them.
    /// </summary>
    private static readonly FrozenDictionary<string, string> RefusedHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["authorization"] = "A presigned URL carries its signature in the query.",
        ["host"] = "The host is part of the URL.",
        ["x-oss-date"] = "Set by the signer.",
        ["x-oss-content-sha256"] = "Set by the signer (presigned URLs are UNSIGNED-PAYLOAD).",
        ["x-oss-security-token"] = "Set by the signer from the bucket's credentials.",
        ["x-oss-traffic-limit"] = "Use the trafficLimit field.",
        ["x-oss-ac-source-ip"] = "Use the sourceIp field.",
        ["x-oss-ac-subnet-mask"] = "Use the subnetMask field.",
        ["x-oss-ac-vpc-id"] = "Use the vpcId field.",
        ["x-oss-ac-forward-allow"] = "Use the forwardAllow field.",
        ["connection"] = "Hop-by-hop headers belong to the client's connection.",
        ["keep-alive"] = "Hop-by-hop headers belong to the client's connection.",
        ["transfer-encoding"] = "Hop-by-hop headers belong to the client's connection.",
        ["te"] = "Hop-by-hop headers belong to the client's connection.",
        ["trailer"] = "Hop-by-hop headers belong to the client's connection.",
        ["upgrade"] = "Hop-by-hop headers belong to the client's connection.",
        ["expect"] = "Hop-by-hop headers belong to the client's connection.",
        ["proxy-authorization"] = "Hop-by-hop headers belong to the client's connection.",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The response-* overrides OSS applies to GetObject, by request field.</summary>
    private static readonly (string Parameter, Func<PresignRequest, string?> Value, string Field)[] ResponseOverrides =
    [
        ("response-content-type", static r => r.ResponseContentType, "responseContentType"),
        ("response-content-disposition", static r => r.ResponseContentDisposition, "responseContentDisposition"),
        ("response-cache-control", static r => r.ResponseCacheControl, "responseCacheControl"),
        ("response-expires", static r => r.ResponseExpires, "responseExpires"),
        ("response-content-language", static r => r.ResponseContentLanguage, "responseContentLanguage"),
        ("response-content-encoding", static r => r.ResponseContentEncoding, "responseContentEncoding"),
    ];

    /// <summary>Checks the request; null (with <paramref name="errors"/> filled) when it cannot be signed.</summary>
    public static PresignPlan? Validate(PresignRequest request, BucketRegistry buckets, Dictionary<string, string[]> errors)
    {
        OssBucket? bucket = null;
        if (string.IsNullOrEmpty(request.Bucket))
        {
            errors["bucket"] = ["Required: the alias of a configured bucket."];
        }
        else if (!buckets.TryGet(request.Bucket, out bucket))
        {
            errors["bucket"] = [$"Unknown bucket alias. Configured: {string.Join(", ", buckets.Aliases)}."];
        }

        if (CreateLinkValidator.KeyError(request.Key) is { } keyError)
        {
            errors["key"] = [keyError];
        }

        var method = request.Method ?? "GET";
        if (!Methods.Contains(method))
        {
            errors["method"] = ["Must be GET, HEAD, PUT or DELETE (upper case)."];
        }

        var expires = request.Expires ?? DefaultExpiresSeconds;
        if (expires < 1 || expires > (long)OssPresignOptions.MaxExpires.TotalSeconds)
        {
            errors["expires"] = [$"Must be between 1 and {(long)OssPresignOptions.MaxExpires.TotalSeconds} seconds (7 days, OSS's longest)."];
        }

        var query = new List<KeyValuePair<string, string>>(12);
        if (request.VersionId is { } versionId)
        {
            if (versionId.Length is 0 or > 256 || CreateLinkValidator.HasControlCharacter(versionId))
            {
                errors["versionId"] = ["Must be 1-256 characters without control characters."];
            }
            else if (method == "PUT")
            {
                errors["versionId"] = ["A PUT makes a new version; versionId applies to GET, HEAD and DELETE."];
            }

            query.Add(new("versionId", versionId));
        }

        AddResponseOverrides(request, method, query, errors);
        AddTrafficLimit(request, method, query, errors);
        AddSourceRestrictions(request, query, errors);
        var (headers, additional) = CheckHeaders(request.Headers, errors);

        if (errors.Count > 0 || bucket is null)
        {
            return null;
        }

        return new PresignPlan(bucket, new OssPresignOptions
        {
            Method = method,
            Key = request.Key!,
            Expires = TimeSpan.FromSeconds(expires),
            Query = query,
            Headers = headers,
            AdditionalHeaders = additional,
        });
    }

    private static void AddResponseOverrides(PresignRequest request, string method, List<KeyValuePair<string, string>> query, Dictionary<string, string[]> errors)
    {
        foreach (var (parameter, read, field) in ResponseOverrides)
        {
            if (read(request) is not { } value)
            {
                continue;
            }

            if (method is not ("GET" or "HEAD"))
            {
                errors[field] = ["Response overrides apply to GET and HEAD."];
            }
            else if (value.Length is 0 or > MaxValueLength || CreateLinkValidator.HasControlCharacter(value))
            {
                errors[field] = [$"Must be 1-{MaxValueLength} characters without control characters."];
            }
            else if (field == "responseContentType" && !MediaTypeHeaderValue.TryParse(value, out _))
            {
                errors[field] = ["Must be a media type such as 'application/pdf'."];
            }

            query.Add(new(parameter, value));
        }
    }

    private static void AddTrafficLimit(PresignRequest request, string method, List<KeyValuePair<string, string>> query, Dictionary<string, string[]> errors)
    {
        if (request.TrafficLimit is not { } trafficLimit)
        {
            return;
        }

        if (trafficLimit is < CreateLinkValidator.MinTrafficLimit or > CreateLinkValidator.MaxTrafficLimit)
        {
            errors["trafficLimit"] = [$"Must be between {CreateLinkValidator.MinTrafficLimit} and {CreateLinkValidator.MaxTrafficLimit} bit/s (OSS's range: 100 KB/s to 100 MB/s)."];
        }
        else if (method is not ("GET" or "PUT"))
        {
            errors["trafficLimit"] = ["A traffic limit applies to GET and PUT."];
        }

        query.Add(new("x-oss-traffic-limit", trafficLimit.ToString(CultureInfo.InvariantCulture)));
    }

    private static void AddSourceRestrictions(PresignRequest request, List<KeyValuePair<string, string>> query, Dictionary<string, string[]> errors)
    {
        IPAddress? source = null;
        if (request.SourceIp is { } sourceIp)
        {
            // Strict: "10.1" would parse as 10.0.0.1, and OSS compares the text it is given.
            if (!IPAddress.TryParse(sourceIp, out source) || sourceIp.Contains('%', StringComparison.Ordinal)
                || (source.AddressFamily == AddressFamily.InterNetwork && source.ToString() != sourceIp))
            {
                errors["sourceIp"] = ["Must be an IPv4 address (dotted quad) or an IPv6 address."];
                source = null;
            }

            query.Add(new("x-oss-ac-source-ip", sourceIp));
        }

        if (request.SubnetMask is { } mask)
        {
            var bits = source?.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
            if (request.SourceIp is null)
            {
                errors["subnetMask"] = ["Applies to sourceIp; set sourceIp too."];
            }
            else if (mask < 0 || mask > bits)
            {
                errors["subnetMask"] = [$"Must be between 0 and {bits} for this address."];
            }

            query.Add(new("x-oss-ac-subnet-mask", mask.ToString(CultureInfo.InvariantCulture)));
        }

        if (request.VpcId is { } vpcId)
        {
            if (!VpcIdPattern().IsMatch(vpcId))
            {
                errors["vpcId"] = ["Must be a VPC id such as vpc-bp1example (vpc- and 1-64 letters or digits)."];
            }

            query.Add(new("x-oss-ac-vpc-id", vpcId));
        }

        if (request.ForwardAllow == true)
        {
            if (request.SourceIp is null)
            {
                errors["forwardAllow"] = ["Changes how sourceIp is checked; set sourceIp too."];
            }

            query.Add(new("x-oss-ac-forward-allow", "true"));
        }
    }

    /// <summary>
    /// Content-Type, Content-MD5 and x-oss-* are always signed; any other header is signed by naming it
    /// in the V4 additional-headers list, which OSS allows only for names without '_'.
    /// </summary>
    private static (List<KeyValuePair<string, string>> Headers, List<string> Additional) CheckHeaders(Dictionary<string, string>? requested, Dictionary<string, string[]> errors)
    {
        var headers = new List<KeyValuePair<string, string>>();
        var additional = new List<string>();
        if (requested is null)
        {
            return (headers, additional);
        }

        if (requested.Count > MaxHeaders)
        {
            errors["headers"] = [$"At most {MaxHeaders} headers."];
            return (headers, additional);
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in requested)
        {
            var field = $"headers[{name}]";
            var signedByDefault = IsSignedByDefault(name);
            if (name.Length == 0 || name.AsSpan().IndexOfAnyExcept(TokenCharacters) >= 0)
            {
                errors[field] = ["Must be an HTTP header name."];
            }
            else if (!seen.Add(name))
            {
                errors[field] = ["Given twice (header names ignore case)."];
            }
            else if (RefusedHeaders.TryGetValue(name, out var reason))
            {
                errors[field] = [reason];
            }
            else if (!signedByDefault && name.Contains('_', StringComparison.Ordinal))
            {
                errors[field] = ["OSS signs further headers only when their names have no '_'."];
            }
            else if (value is null || value.Length > 8 * 1024 || CreateLinkValidator.HasControlCharacter(value))
            {
                errors[field] = ["Must be a value of at most 8192 characters without control characters."];
            }
            else if (name.Equals(HeaderNames.ContentType, StringComparison.OrdinalIgnoreCase) && !MediaTypeHeaderValue.TryParse(value, out _))
            {
                errors[field] = ["Must be a media type such as 'text/plain'."];
            }
            else
            {
                headers.Add(new(name, value));
                if (!signedByDefault)
                {
                    additional.Add(name);
                }
            }
        }

        return (headers, additional);
    }

    private static bool IsSignedByDefault(string name) =>
        name.Equals(HeaderNames.ContentType, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.ContentMD5, StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("x-oss-", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("^vpc-[A-Za-z0-9]{1,64}\\z")]
    private static partial Regex VpcIdPattern();
}
