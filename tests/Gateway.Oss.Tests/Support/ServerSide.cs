using Gateway.Oss.Verification;

namespace Gateway.Oss.Tests.Support;

/// <summary>Turns what travels on the wire into an <see cref="OssIncomingRequest"/> the way a server does: the bucket
/// from the Host or the first path segment, the key percent-decoded from the raw path, never through System.Uri.</summary>
internal static class ServerSide
{
    public static OssIncomingRequest FromUrl(string method, string url, OssAddressingStyle style, IEnumerable<KeyValuePair<string, string>> headers, string? cnameBucket = null)
    {
        var afterScheme = url.IndexOf("://", StringComparison.Ordinal) + 3;
        var pathStart = url.IndexOf('/', afterScheme);
        var host = url[afterScheme..pathStart];
        var queryStart = url.IndexOf('?', pathStart);
        var rawPath = queryStart < 0 ? url[pathStart..] : url[pathStart..queryStart];
        var rawQuery = queryStart < 0 ? null : url[(queryStart + 1)..];

        string bucket;
        string rawKey;
        switch (style)
        {
            case OssAddressingStyle.VirtualHosted:
                bucket = host[..host.IndexOf('.', StringComparison.Ordinal)];
                rawKey = rawPath[1..];
                break;
            case OssAddressingStyle.Path:
                var slash = rawPath.IndexOf('/', 1);
                bucket = slash < 0 ? rawPath[1..] : rawPath[1..slash];
                rawKey = slash < 0 ? string.Empty : rawPath[(slash + 1)..];
                break;
            default:
                bucket = cnameBucket ?? throw new ArgumentNullException(nameof(cnameBucket));
                rawKey = rawPath[1..];
                break;
        }

        var allHeaders = headers.ToList();
        if (!allHeaders.Any(static h => h.Key.Equals("host", StringComparison.OrdinalIgnoreCase)))
        {
            allHeaders.Add(new("Host", host));
        }

        return new OssIncomingRequest
        {
            Method = method,
            Bucket = bucket,
            Key = OssWireFormat.DecodePath(rawKey),
            Query = OssWireFormat.ParseQuery(rawQuery),
            Headers = allHeaders,
        };
    }

    /// <summary>The request as HttpClient would put it on the wire: one line per header, values joined as HttpClient joins them.</summary>
    public static OssIncomingRequest FromHttpRequest(HttpRequestMessage request, OssAddressingStyle style, string? cnameBucket = null)
    {
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var header in request.Headers.NonValidated)
        {
            headers.Add(new(header.Key, header.Value.ToString()));
        }

        if (request.Content is not null)
        {
            foreach (var header in request.Content.Headers.NonValidated)
            {
                headers.Add(new(header.Key, header.Value.ToString()));
            }
        }

        return FromUrl(request.Method.Method, request.RequestUri!.OriginalString, style, headers, cnameBucket);
    }

    public static OssIncomingRequest FromPresigned(OssPresignedRequest presigned, OssAddressingStyle style, string? cnameBucket = null) =>
        FromUrl(presigned.Method, presigned.Url.OriginalString, style, presigned.SignedHeaders, cnameBucket);

    public static OssRequestVerifier Verifier(TimeProvider clock, string region = "cn-hangzhou", params OssCredentials[] known) =>
        new(ak => known.FirstOrDefault(c => c.AccessKeyId == ak), region, clock);
}
