using System.Text;
using CsCheck;
using Gateway.Oss.Tests.Support;
using Gateway.Oss.Verification;

namespace Gateway.Oss.Tests.Properties;

/// <summary>
/// Sign, put on the wire, decode as a server does, verify: for any object key, query and header set, in both V4
/// forms (Authorization header and presigned URL) and every addressing style, the verifier accepts the request,
/// resolves exactly the key and query that were signed, and refuses it once the key is changed.
/// </summary>
public sealed class SigningProperties
{
    private static readonly OssCredentials Alice = new("LTAI5tALICE000000000", "alice-secret");
    private static readonly FixedTimeProvider Clock = FixedTimeProvider.At("20241112T092756Z");

    /// <summary>Pieces keys and values are made of: the characters that trip encoders (reserved, percent, plus, dot
    /// segments, quotes, controls, non-ASCII, astral planes), mixed with arbitrary text below.</summary>
    private static readonly string[] Awkward =
    [
        "a", "Z", "9", "/", "//", ".", "..", "./", "../", "%", "%2F", "%20", "%25", "+", " ", "  ", "~", "-", "_",
        "(", ")", "!", "*", "'", ";", "=", "&", "?", "#", "\"", "\\", ",", ":", "@", "$", "[", "]", "{", "}", "|", "^", "`",
        "ä", "Ü", "ß", "报告", "日本", "😀", "𝄞", "\u00A0", "\u200B", "\u2028", "\uFEFF", "\u0301", "\t", "\n", "\r", "\u007F", "\u0085",
    ];

    private static readonly Gen<string> Piece = Gen.Frequency(
        (6, Gen.OneOf(Awkward)),
        (3, Gen.Char['\u0020', '\u007E'].Select(static c => c.ToString())),
        (1, Gen.Char['\u00A0', '\uD7FF'].Select(static c => c.ToString())),
        (1, Gen.Int[0x10000, 0x10FFFF].Select(static cp => char.ConvertFromUtf32(cp))));

    private static readonly Gen<string> Text = Piece.Array[0, 24].Select(static pieces => string.Concat(pieces));

    /// <summary>OSS object names: 1-1023 bytes of UTF-8, not starting with '/' or '\'.</summary>
    private static readonly Gen<string> Key = Piece.Array[1, 60]
        .Select(static pieces => string.Concat(pieces))
        .Where(static key => key.Length > 0 && key[0] is not ('/' or '\\') && Encoding.UTF8.GetByteCount(key) <= 1023);

    private static readonly Gen<string> ParameterName = Gen.Frequency(
        (2, Gen.OneOf("versionId", "response-content-disposition", "response-content-type", "x-oss-traffic-limit", "acl", "uploads", "a b", "n+m", "%")),
        (3, Text.Where(static name => name.Length > 0 && !IsSignerParameter(name))));

    /// <summary>0-4 parameters, names possibly repeated, values possibly empty.</summary>
    private static readonly Gen<KeyValuePair<string, string>[]> Query =
        Gen.Select(ParameterName, Text, static (name, value) => new KeyValuePair<string, string>(name, value)).Array[0, 4];

    private static readonly Gen<string> HeaderValue = Gen.Char[" !\"#$%&'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~\t"].Array[0, 30]
        .Select(static chars => new string(chars));

    /// <summary>x-oss-meta-* headers (any case, possibly repeated), Content-Type, and Range / If-Match signed as additional headers.</summary>
    private static readonly Gen<SignedHeaders> Headers = Gen.Select(
        Gen.Select(Gen.OneOf("x-oss-meta-a", "X-Oss-Meta-A", "x-oss-meta-owner", "x-oss-meta-note", "x-oss-traffic-limit"), HeaderValue).Array[0, 4],
        Gen.OneOf<string?>(null, "text/plain", "application/octet-stream", "text/html; charset=utf-8"),
        Gen.OneOf<string?>(null, "bytes=0-99", "bytes=-5"),
        Gen.OneOf<string?>(null, "\"0123456789ABCDEF0123456789ABCDEF\"", "*"),
        static (oss, contentType, range, ifMatch) => new SignedHeaders(oss, contentType, range, ifMatch));

    private static readonly Gen<OssAddressingStyle> Style = Gen.Enum<OssAddressingStyle>();

    [Fact]
    public void V4_header_signatures_round_trip_for_any_key_query_and_headers()
    {
        Gen.Select(Key, Query, Headers, Style).Sample(
            static (key, query, headers, style) =>
            {
                var endpoint = Endpoint(style);
                using var request = new HttpRequestMessage(HttpMethod.Get, endpoint.BuildObjectUri(key, query));
                foreach (var (name, value) in headers.All())
                {
                    HttpRequests.AddHeader(request, name, value);
                }

                new OssV4Signer(endpoint, new StaticCredentialsProvider(Alice), Clock).SignRequest(request, key, query, ["range", "if-match"]);
                var incoming = ServerSide.FromHttpRequest(request, style, endpoint.Bucket);

                AssertRoundTrip(incoming, OssAuthScheme.V4Header, key, query);
            },
            iter: PropertyRuns.Iterations,
            print: Describe);
        PropertyRuns.Report(nameof(V4_header_signatures_round_trip_for_any_key_query_and_headers));
    }

    [Fact]
    public void V4_presigned_urls_round_trip_for_any_key_query_and_headers()
    {
        Gen.Select(Key, Query, Headers, Style).Sample(
            static (key, query, headers, style) =>
            {
                var endpoint = Endpoint(style);
                var sent = headers.All();
                var presigned = new OssV4Signer(endpoint, new StaticCredentialsProvider(Alice), Clock).Presign(new OssPresignOptions
                {
                    Key = key,
                    Query = query,
                    Headers = sent,
                    AdditionalHeaders = [.. headers.AdditionalNames()],
                });

                // The user of the URL sends the headers as HttpClient would: repeated names on one line, joined by ", ".
                var request = new HttpRequestMessage(HttpMethod.Get, presigned.Url);
                foreach (var (name, value) in presigned.SignedHeaders)
                {
                    HttpRequests.AddHeader(request, name, value);
                }

                var incoming = ServerSide.FromHttpRequest(request, style, endpoint.Bucket);
                request.Dispose();

                AssertRoundTrip(incoming, OssAuthScheme.V4Query, key, query);
            },
            iter: PropertyRuns.Iterations,
            print: Describe);
        PropertyRuns.Report(nameof(V4_presigned_urls_round_trip_for_any_key_query_and_headers));
    }

    private static void AssertRoundTrip(OssIncomingRequest incoming, OssAuthScheme scheme, string key, KeyValuePair<string, string>[] query)
    {
        Assert.Equal("examplebucket", incoming.Bucket);
        Assert.Equal(key, incoming.Key);

        // The server sees every parameter that was signed, with its value, in order (the signer's own ones besides).
        var received = incoming.Query.Where(static p => !IsSignerParameter(p.Key)).ToArray();
        Assert.Equal(query.Order(ParameterOrder.Instance), received.Order(ParameterOrder.Instance));

        var verifier = ServerSide.Verifier(Clock, "cn-hangzhou", Alice);
        var result = verifier.Verify(incoming);
        Assert.True(result.Succeeded, $"{result.ErrorCode}: {result.Message} {string.Join(" | ", result.Details)}");
        Assert.Equal(scheme, result.Scheme);

        // The signature binds the key: the same request for a neighbouring object is refused.
        var otherKey = new OssIncomingRequest
        {
            Method = incoming.Method,
            Bucket = incoming.Bucket,
            Key = key + "x",
            Query = incoming.Query,
            Headers = incoming.Headers,
        };
        Assert.Equal("SignatureDoesNotMatch", verifier.Verify(otherKey).ErrorCode);
    }

    private static bool IsSignerParameter(string name) =>
        name.StartsWith("x-oss-signature", StringComparison.Ordinal) || name is "x-oss-credential" or "x-oss-date" or "x-oss-expires" or "x-oss-additional-headers" or "x-oss-security-token";

    private static OssEndpoint Endpoint(OssAddressingStyle style) => style switch
    {
        OssAddressingStyle.VirtualHosted => new(new Uri("https://oss-cn-hangzhou.aliyuncs.com"), "examplebucket", "cn-hangzhou", style),
        OssAddressingStyle.Path => new(new Uri("http://127.0.0.1:9000"), "examplebucket", "cn-hangzhou", style),
        _ => new(new Uri("https://files.example.com"), "examplebucket", "cn-hangzhou", style),
    };

    private static string Describe((string Key, KeyValuePair<string, string>[] Query, SignedHeaders Headers, OssAddressingStyle Style) input) =>
        $"key={Escape(input.Key)} query=[{string.Join(", ", input.Query.Select(static p => $"{Escape(p.Key)}={Escape(p.Value)}"))}] headers=[{string.Join(", ", input.Headers.All().Select(static h => $"{h.Key}: {Escape(h.Value)}"))}] style={input.Style}";

    private static string Escape(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            builder.Append(c is < ' ' or > '~' ? $"\\u{(int)c:X4}" : c.ToString());
        }

        return builder.Append('"').ToString();
    }

    private sealed record SignedHeaders((string Name, string Value)[] Oss, string? ContentType, string? Range, string? IfMatch)
    {
        public KeyValuePair<string, string>[] All()
        {
            var all = new List<KeyValuePair<string, string>>();
            foreach (var (name, value) in Oss)
            {
                all.Add(new(name, value));
            }

            if (ContentType is not null)
            {
                all.Add(new("Content-Type", ContentType));
            }

            if (Range is not null)
            {
                all.Add(new("Range", Range));
            }

            if (IfMatch is not null)
            {
                all.Add(new("If-Match", IfMatch));
            }

            return [.. all];
        }

        public IEnumerable<string> AdditionalNames()
        {
            if (Range is not null)
            {
                yield return "range";
            }

            if (IfMatch is not null)
            {
                yield return "if-match";
            }
        }
    }

    private sealed class ParameterOrder : IComparer<KeyValuePair<string, string>>
    {
        public static readonly ParameterOrder Instance = new();

        public int Compare(KeyValuePair<string, string> x, KeyValuePair<string, string> y)
        {
            var byName = string.CompareOrdinal(x.Key, y.Key);
            return byName != 0 ? byName : string.CompareOrdinal(x.Value, y.Value);
        }
    }
}
