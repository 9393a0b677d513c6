using Gateway.Oss.Tests.Support;
using Gateway.Oss.Verification;

namespace Gateway.Oss.Tests;

/// <summary>Whatever the signers produce, the verifier accepts, and the server resolves exactly the key that was signed.</summary>
public sealed class RoundTripTests
{
    private static readonly OssCredentials Alice = new("LTAI5tALICE000000000", "alice-secret");
    private static readonly OssCredentials Sts = new("STS.NUgYrLnoC37mZZCNnAbez2Mgh", "sts-secret", "CAIS1AJ1q6Ft5B2yfSjIr5fkB8/ft+ZR1qOseGrwjmMhPrp5q/XFoDz2=");

    private static readonly string[] OddKeys =
    [
        "plain.txt",
        "with space.txt",
        "a+b.txt",
        "100%.txt",
        "%20literal",
        "tilde~file",
        "()!*'.txt",
        "报告/ä ö ü/😀.txt",
        "a/../b",
        "./x",
        "../escape",
        "//double",
        "dir//double",
        "ends/with/slash/",
        "semi;colon=eq&amp",
        "quote\"and#hash?q",
    ];

    private readonly FixedTimeProvider _clock = FixedTimeProvider.At("20241112T092756Z");

    public static TheoryData<string, OssAddressingStyle> KeysAndStyles
    {
        get
        {
            var data = new TheoryData<string, OssAddressingStyle>();
            foreach (var key in OddKeys)
            {
                foreach (var style in Enum.GetValues<OssAddressingStyle>())
                {
                    data.Add(key, style);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(KeysAndStyles))]
    public void V4_header_signature_round_trips(string key, OssAddressingStyle style)
    {
        var endpoint = Endpoint(style);
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint.BuildObjectUri(key));
        new OssV4Signer(endpoint, new StaticCredentialsProvider(Alice), _clock).SignRequest(request, key);

        var incoming = ServerSide.FromHttpRequest(request, style, endpoint.Bucket);

        AssertAccepted(incoming, OssAuthScheme.V4Header, key);
    }

    [Theory]
    [MemberData(nameof(KeysAndStyles))]
    public void V4_presigned_url_round_trips(string key, OssAddressingStyle style)
    {
        var endpoint = Endpoint(style);
        var presigned = new OssV4Signer(endpoint, new StaticCredentialsProvider(Alice), _clock).Presign(new OssPresignOptions { Key = key });

        AssertAccepted(ServerSide.FromPresigned(presigned, style, endpoint.Bucket), OssAuthScheme.V4Query, key);
    }

    [Theory]
    [MemberData(nameof(KeysAndStyles))]
    public void V1_header_signature_round_trips(string key, OssAddressingStyle style)
    {
        var endpoint = Endpoint(style);
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint.BuildObjectUri(key));
        new OssV1Signer(endpoint, new StaticCredentialsProvider(Alice), _clock).SignRequest(request, key);

        AssertAccepted(ServerSide.FromHttpRequest(request, style, endpoint.Bucket), OssAuthScheme.V1Header, key);
    }

    [Theory]
    [MemberData(nameof(KeysAndStyles))]
    public void V1_presigned_url_round_trips(string key, OssAddressingStyle style)
    {
        var endpoint = Endpoint(style);
        var presigned = new OssV1Signer(endpoint, new StaticCredentialsProvider(Alice), _clock).Presign(new OssPresignOptions { Key = key });

        AssertAccepted(ServerSide.FromPresigned(presigned, style, endpoint.Bucket), OssAuthScheme.V1Query, key);
    }

    public static TheoryData<string> ResponseOverrides =>
    [
        "attachment; filename=\"report 2024.txt\"",
        "attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf",
        "inline; filename=\"报告 ä+b.pdf\"",
    ];

    [Theory]
    [MemberData(nameof(ResponseOverrides))]
    public void Version_and_response_overrides_round_trip_in_every_form(string disposition)
    {
        var endpoint = Endpoint(OssAddressingStyle.VirtualHosted);
        List<KeyValuePair<string, string>> query = [new("versionId", "CAEQNhiBgMDJgZCA0BYiIDc4MGZjZGI2OTBjOTRmNTE5NmU5NmFmZjYwMWMyZDdk"), new("response-content-disposition", disposition)];

        using var v4Request = new HttpRequestMessage(HttpMethod.Get, endpoint.BuildObjectUri("k", query));
        new OssV4Signer(endpoint, new StaticCredentialsProvider(Alice), _clock).SignRequest(v4Request, "k", query);
        using var v1Request = new HttpRequestMessage(HttpMethod.Get, endpoint.BuildObjectUri("k", query));
        new OssV1Signer(endpoint, new StaticCredentialsProvider(Alice), _clock).SignRequest(v1Request, "k", query);
        var v4Url = new OssV4Signer(endpoint, new StaticCredentialsProvider(Alice), _clock).Presign(new OssPresignOptions { Key = "k", Query = query });
        var v1Url = new OssV1Signer(endpoint, new StaticCredentialsProvider(Alice), _clock).Presign(new OssPresignOptions { Key = "k", Query = query });

        foreach (var incoming in new[]
        {
            ServerSide.FromHttpRequest(v4Request, OssAddressingStyle.VirtualHosted),
            ServerSide.FromHttpRequest(v1Request, OssAddressingStyle.VirtualHosted),
            ServerSide.FromPresigned(v4Url, OssAddressingStyle.VirtualHosted),
            ServerSide.FromPresigned(v1Url, OssAddressingStyle.VirtualHosted),
        })
        {
            var result = Verifier().Verify(incoming);
            Assert.True(result.Succeeded, $"{result.Scheme}: {result.ErrorCode} {result.Message}");
            Assert.Contains(new KeyValuePair<string, string>("response-content-disposition", disposition), incoming.Query);
        }
    }

    [Fact]
    public void The_version_is_bound_to_the_signature()
    {
        var endpoint = Endpoint(OssAddressingStyle.VirtualHosted);
        var presigned = new OssV4Signer(endpoint, new StaticCredentialsProvider(Alice), _clock)
            .Presign(new OssPresignOptions { Key = "k", Query = [new("versionId", "v1")] });
        var incoming = ServerSide.FromPresigned(presigned, OssAddressingStyle.VirtualHosted);

        var swapped = new OssIncomingRequest
        {
            Method = incoming.Method,
            Bucket = incoming.Bucket,
            Key = incoming.Key,
            Query = [.. incoming.Query.Select(p => p.Key == "versionId" ? new KeyValuePair<string, string>("versionId", "v2") : p)],
            Headers = incoming.Headers,
        };

        Assert.Equal("SignatureDoesNotMatch", Verifier().Verify(swapped).ErrorCode);
    }

    [Fact]
    public void Extra_signed_headers_round_trip_and_bind_their_values()
    {
        var endpoint = Endpoint(OssAddressingStyle.Path);
        using var request = new HttpRequestMessage(HttpMethod.Put, endpoint.BuildObjectUri("upload.bin"))
        {
            Content = new ByteArrayContent([1, 2, 3]),
        };
        request.Content.Headers.ContentType = new("application/octet-stream");
        request.Content.Headers.ContentMD5 = System.Security.Cryptography.MD5.HashData(new byte[] { 1, 2, 3 });
        request.Headers.TryAddWithoutValidation("x-oss-meta-owner", "alice");
        request.Headers.TryAddWithoutValidation("x-oss-traffic-limit", "819200");
        request.Headers.TryAddWithoutValidation("If-None-Match", "\"abc\"");
        request.Headers.Range = new(0, 99);
        new OssV4Signer(endpoint, new StaticCredentialsProvider(Alice), _clock).SignRequest(request, "upload.bin", additionalHeaders: ["range", "if-none-match", "host"]);
        var incoming = ServerSide.FromHttpRequest(request, OssAddressingStyle.Path);
        Assert.True(Verifier().Verify(incoming).Succeeded);

        foreach (var header in new[] { "Content-Type", "Content-MD5", "x-oss-meta-owner", "x-oss-traffic-limit", "If-None-Match", "Range", "Host" })
        {
            var changed = new OssIncomingRequest
            {
                Method = incoming.Method,
                Bucket = incoming.Bucket,
                Key = incoming.Key,
                Query = incoming.Query,
                Headers = [.. incoming.Headers.Select(h => h.Key == header ? new KeyValuePair<string, string>(h.Key, h.Value + "0") : h)],
            };
            Assert.Equal("SignatureDoesNotMatch", Verifier().Verify(changed).ErrorCode);
        }
    }

    [Fact]
    public void Presigned_headers_must_be_sent_with_the_url()
    {
        var endpoint = Endpoint(OssAddressingStyle.Path);
        var presigned = new OssV4Signer(endpoint, new StaticCredentialsProvider(Alice), _clock).Presign(new OssPresignOptions
        {
            Method = "PUT",
            Key = "upload.txt",
            Headers = [new("Content-Type", "text/plain"), new("x-oss-meta-owner", "alice"), new("x-oss-forbid-overwrite", "true")],
        });
        var incoming = ServerSide.FromPresigned(presigned, OssAddressingStyle.Path);
        Assert.True(Verifier().Verify(incoming).Succeeded);

        var withoutHeaders = new OssIncomingRequest { Method = "PUT", Bucket = incoming.Bucket, Key = incoming.Key, Query = incoming.Query, Headers = [] };

        Assert.Equal("SignatureDoesNotMatch", Verifier().Verify(withoutHeaders).ErrorCode);
    }

    [Fact]
    public void Sts_credentials_round_trip_in_every_form()
    {
        var endpoint = Endpoint(OssAddressingStyle.VirtualHosted);
        var provider = new StaticCredentialsProvider(Sts);
        using var v4Request = new HttpRequestMessage(HttpMethod.Get, endpoint.BuildObjectUri("k"));
        new OssV4Signer(endpoint, provider, _clock).SignRequest(v4Request, "k");
        using var v1Request = new HttpRequestMessage(HttpMethod.Get, endpoint.BuildObjectUri("k"));
        new OssV1Signer(endpoint, provider, _clock).SignRequest(v1Request, "k");

        var results = new[]
        {
            Verifier().Verify(ServerSide.FromHttpRequest(v4Request, OssAddressingStyle.VirtualHosted)),
            Verifier().Verify(ServerSide.FromHttpRequest(v1Request, OssAddressingStyle.VirtualHosted)),
            Verifier().Verify(ServerSide.FromPresigned(new OssV4Signer(endpoint, provider, _clock).Presign(new OssPresignOptions { Key = "k" }), OssAddressingStyle.VirtualHosted)),
            Verifier().Verify(ServerSide.FromPresigned(new OssV1Signer(endpoint, provider, _clock).Presign(new OssPresignOptions { Key = "k" }), OssAddressingStyle.VirtualHosted)),
        };

        Assert.All(results, r => Assert.True(r.Succeeded, $"{r.Scheme}: {r.ErrorCode} {r.Message}"));
        Assert.All(results, r => Assert.Equal(Sts.AccessKeyId, r.AccessKeyId));
    }

    [Fact]
    public void CloudBox_signatures_round_trip_against_a_cloudbox_verifier_only()
    {
        var endpoint = new OssEndpoint(new Uri("https://cb-123.cn-hangzhou.oss-cloudbox.aliyuncs.com"), "bucket", "cb-123", OssAddressingStyle.VirtualHosted, "oss-cloudbox");
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint.BuildObjectUri("k"));
        new OssV4Signer(endpoint, new StaticCredentialsProvider(Alice), _clock).SignRequest(request, "k");
        var presigned = new OssV4Signer(endpoint, new StaticCredentialsProvider(Alice), _clock).Presign(new OssPresignOptions { Key = "k" });
        var cloudBox = ServerSide.Verifier(_clock, "cb-123", Alice);

        Assert.Contains("/cb-123/oss-cloudbox/aliyun_v4_request,", HttpRequests.Header(request, "Authorization"), StringComparison.Ordinal);
        Assert.True(cloudBox.Verify(ServerSide.FromHttpRequest(request, OssAddressingStyle.VirtualHosted)).Succeeded);
        Assert.True(cloudBox.Verify(ServerSide.FromPresigned(presigned, OssAddressingStyle.VirtualHosted)).Succeeded);
        Assert.Equal("AccessDenied", Verifier().Verify(ServerSide.FromHttpRequest(request, OssAddressingStyle.VirtualHosted)).ErrorCode);
    }

    [Fact]
    public void Bucket_level_requests_round_trip()
    {
        var endpoint = Endpoint(OssAddressingStyle.Path);
        List<KeyValuePair<string, string>> query = [new("acl", "")];
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint.BuildObjectUri(string.Empty, query));
        new OssV4Signer(endpoint, new StaticCredentialsProvider(Alice), _clock).SignRequest(request, string.Empty, query);

        AssertAccepted(ServerSide.FromHttpRequest(request, OssAddressingStyle.Path), OssAuthScheme.V4Header, string.Empty);
    }

    private static OssEndpoint Endpoint(OssAddressingStyle style) => style switch
    {
        OssAddressingStyle.VirtualHosted => new(new Uri("https://oss-cn-hangzhou.aliyuncs.com"), "examplebucket", "cn-hangzhou", style),
        OssAddressingStyle.Path => new(new Uri("http://127.0.0.1:9000"), "examplebucket", "cn-hangzhou", style),
        _ => new(new Uri("https://files.example.com"), "examplebucket", "cn-hangzhou", style),
    };

    private OssRequestVerifier Verifier() => ServerSide.Verifier(_clock, "cn-hangzhou", Alice, Sts);

    private void AssertAccepted(OssIncomingRequest incoming, OssAuthScheme scheme, string key)
    {
        Assert.Equal(key, incoming.Key);
        Assert.Equal("examplebucket", incoming.Bucket);
        var result = Verifier().Verify(incoming);
        Assert.True(result.Succeeded, $"{result.ErrorCode}: {result.Message} {string.Join(" | ", result.Details)}");
        Assert.Equal(scheme, result.Scheme);
    }
}
