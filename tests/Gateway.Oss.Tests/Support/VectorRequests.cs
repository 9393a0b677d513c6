using Gateway.Oss.Verification;

namespace Gateway.Oss.Tests.Support;

/// <summary>Builds, from a vector, the signer's inputs and the request a server would have received.</summary>
internal static class VectorRequests
{
    private static readonly HashSet<string> V4AuthParameters =
        ["x-oss-signature-version", "x-oss-credential", "x-oss-date", "x-oss-expires", "x-oss-additional-headers", "x-oss-security-token", "x-oss-signature"];

    private static readonly HashSet<string> V1AuthParameters = ["OSSAccessKeyId", "Expires", "Signature", "security-token"];

    public static OssEndpoint Endpoint(SigningVector vector) =>
        new(new Uri($"https://oss-{vector.Region}.aliyuncs.com"), vector.Bucket, vector.Region, OssAddressingStyle.VirtualHosted, vector.Product);

    /// <summary>The query a caller asks to sign into a URL: ali-oss's extra_queries, or the Go test's parameters minus the ones the signer adds.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> PresignQuery(SigningVector vector)
    {
        if (vector.Version == "v1")
        {
            return [.. vector.SignedUrlQuery.Where(static p => !V1AuthParameters.Contains(p.Key))];
        }

        return vector.Group == "ali-oss" ? vector.ExtraQueries : [.. vector.InputQuery.Where(static p => !V4AuthParameters.Contains(p.Key))];
    }

    /// <summary>The request as the server received it; <paramref name="signature"/> replaces the vector's to tamper with it.</summary>
    public static OssIncomingRequest Incoming(SigningVector vector, string? signature = null)
    {
        signature ??= vector.Signature;
        if (vector.IsHeaderForm)
        {
            List<KeyValuePair<string, string>> headers = [.. vector.RequestHeadersSent, new("Authorization", vector.Authorization!.Replace(vector.Signature, signature, StringComparison.Ordinal))];
            return vector.RequestUrl is not null
                ? ServerSide.FromUrl(vector.Method, vector.RequestUrl, OssAddressingStyle.VirtualHosted, headers)
                : new OssIncomingRequest { Method = vector.Method, Bucket = vector.Bucket, Key = vector.Key, Query = vector.InputQuery, Headers = headers };
        }

        var incoming = vector.SignedUrl is not null
            ? ServerSide.FromUrl(vector.Method, vector.SignedUrl, OssAddressingStyle.VirtualHosted, vector.SignedRequestHeaders)
            : new OssIncomingRequest
            {
                Method = vector.Method,
                Bucket = vector.Bucket,
                Key = vector.Key,
                Query = [.. vector.InputQuery, new("x-oss-signature", vector.Signature)],
                Headers = vector.SignedRequestHeaders,
            };
        var signatureParameter = vector.Version == "v1" ? "Signature" : "x-oss-signature";
        return new OssIncomingRequest
        {
            Method = incoming.Method,
            Bucket = incoming.Bucket,
            Key = incoming.Key,
            Query = [.. incoming.Query.Select(p => p.Key == signatureParameter ? new KeyValuePair<string, string>(p.Key, signature) : p)],
            Headers = incoming.Headers,
        };
    }

    public static OssAuthScheme ExpectedScheme(SigningVector vector) => (vector.Version, vector.Form) switch
    {
        ("v4", "header") => OssAuthScheme.V4Header,
        ("v4", _) => OssAuthScheme.V4Query,
        ("v1", "header") => OssAuthScheme.V1Header,
        _ => OssAuthScheme.V1Query,
    };

    /// <summary>Splits a URL's query into its raw "name=value" segments, sorted, to compare URLs whose parameter order differs.</summary>
    public static string[] RawQuerySegments(string url)
    {
        var query = url.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? [] : [.. url[(query + 1)..].Split('&').Order(StringComparer.Ordinal)];
    }

    public static string DecodedPath(string url)
    {
        var afterScheme = url.IndexOf("://", StringComparison.Ordinal) + 3;
        var path = url[url.IndexOf('/', afterScheme)..];
        var query = path.IndexOf('?', StringComparison.Ordinal);
        return OssWireFormat.DecodePath(query < 0 ? path : path[..query]);
    }
}
