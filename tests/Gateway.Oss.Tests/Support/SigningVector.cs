using System.Text.Json;

namespace Gateway.Oss.Tests.Support;

/// <summary>One entry of Vectors/vectors.json (a copy of shared/oss/vectors.json; field meanings in SIGNING.md §12).</summary>
internal sealed class SigningVector
{
    public required string Id { get; init; }

    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Form { get; init; }

    public required string AccessKeyId { get; init; }

    public required string AccessKeySecret { get; init; }

    public string? SecurityToken { get; init; }

    public required string Region { get; init; }

    public required string Product { get; init; }

    public required string Bucket { get; init; }

    public required string Key { get; init; }

    public required string Method { get; init; }

    public required string FixedTime { get; init; }

    public long? ExpiresSeconds { get; init; }

    public long? ExpiresUnix { get; init; }

    public required IReadOnlyList<string> AdditionalHeaders { get; init; }

    /// <summary>Header form: exactly what the SDK put on the request, minus Authorization.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> RequestHeadersSent { get; init; }

    /// <summary>Query form: the headers the user of the URL must send.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> SignedRequestHeaders { get; init; }

    /// <summary>inputs.query_decoded: the request's query (header form; Go query vectors include the auth parameters).</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> InputQuery { get; init; }

    /// <summary>inputs.extra_queries: what the caller asked to sign into an ali-oss URL.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> ExtraQueries { get; init; }

    /// <summary>Top-level query_decoded: the decoded query of signed_url.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> SignedUrlQuery { get; init; }

    public string? RequestUrl { get; init; }

    public string? SignedUrl { get; init; }

    public string? CanonicalRequest { get; init; }

    public required string StringToSign { get; init; }

    public required string Signature { get; init; }

    public string? Authorization { get; init; }

    public string? ExpectedSignatureFromGoSdk { get; init; }

    public bool? MatchesGoSdk { get; init; }

    public bool IsHeaderForm => Form == "header";

    public OssCredentials Credentials => new(AccessKeyId, AccessKeySecret, SecurityToken);

    public override string ToString() => Id;

    public static SigningVector Parse(JsonElement element)
    {
        var inputs = element.GetProperty("inputs");
        return new SigningVector
        {
            Id = element.GetProperty("id").GetString()!,
            Group = element.GetProperty("group").GetString()!,
            Version = element.GetProperty("signature_version").GetString()!,
            Form = element.GetProperty("form").GetString()!,
            AccessKeyId = inputs.GetProperty("access_key_id").GetString()!,
            AccessKeySecret = inputs.GetProperty("access_key_secret").GetString()!,
            SecurityToken = OptionalString(inputs, "security_token"),
            Region = OptionalString(inputs, "region") ?? "cn-hangzhou",
            Product = OptionalString(inputs, "product") ?? "oss",
            Bucket = inputs.GetProperty("bucket").GetString()!,
            Key = inputs.GetProperty("key").GetString()!,
            Method = inputs.GetProperty("method").GetString()!,
            FixedTime = inputs.GetProperty("fixed_time").GetString()!,
            ExpiresSeconds = inputs.TryGetProperty("expires_seconds", out var seconds) ? seconds.GetInt64() : null,
            ExpiresUnix = inputs.TryGetProperty("expires_unix", out var unix) ? unix.GetInt64() : null,
            AdditionalHeaders = inputs.TryGetProperty("additional_headers", out var additional) ? [.. additional.EnumerateArray().Select(static e => e.GetString()!)] : [],
            RequestHeadersSent = Object(inputs, "request_headers_sent"),
            SignedRequestHeaders = Object(inputs, "signed_request_headers"),
            InputQuery = Pairs(inputs, "query_decoded"),
            ExtraQueries = Object(inputs, "extra_queries"),
            SignedUrlQuery = Pairs(element, "query_decoded"),
            RequestUrl = OptionalString(element, "request_url"),
            SignedUrl = OptionalString(element, "signed_url"),
            CanonicalRequest = OptionalString(element, "canonical_request"),
            StringToSign = element.GetProperty("string_to_sign").GetString()!,
            Signature = element.GetProperty("signature").GetString()!,
            Authorization = OptionalString(element, "authorization"),
            ExpectedSignatureFromGoSdk = OptionalString(element, "expected_signature_from_go_sdk"),
            MatchesGoSdk = element.TryGetProperty("matches_go_sdk", out var matches) ? matches.GetBoolean() : null,
        };
    }

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static List<KeyValuePair<string, string>> Object(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
            ? [.. value.EnumerateObject().Select(static p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!))]
            : [];

    private static List<KeyValuePair<string, string>> Pairs(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
            ? [.. value.EnumerateArray().Select(static p => new KeyValuePair<string, string>(p[0].GetString()!, p[1].GetString()!))]
            : [];
}
