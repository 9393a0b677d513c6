using Gateway.Oss.Tests.Support;
using Gateway.Oss.Verification;

namespace Gateway.Oss.Tests.Verification;

/// <summary>What the verifier refuses, and with which OSS error (SIGNING.md §8-9).</summary>
public sealed class OssRequestVerifierTests
{
    private static readonly OssCredentials Alice = new("LTAI5tALICE000000000", "alice-secret");
    private static readonly OssCredentials Sts = new("STS.TEMPORARY0000000", "sts-secret", "CAIS/token+with=chars");
    private static readonly OssEndpoint Endpoint = new(new Uri("http://127.0.0.1:9000"), "examplebucket", "cn-hangzhou", OssAddressingStyle.Path);

    private readonly FixedTimeProvider _clock = FixedTimeProvider.At("20241112T092756Z");

    [Fact]
    public void Anonymous_requests_are_denied_as_anonymous()
    {
        var result = Verifier().Verify(new OssIncomingRequest { Method = "GET", Bucket = "examplebucket", Key = "k", Query = [], Headers = [] });

        Assert.Equal((false, OssAuthScheme.Anonymous, 403, "AccessDenied"), (result.Succeeded, result.Scheme, result.StatusCode, result.ErrorCode));
        Assert.Null(result.AccessKeyId);
    }

    [Fact]
    public void A_changed_key_no_longer_matches_the_signature()
    {
        var incoming = SignedHeaderRequest("a.txt");

        var result = Verifier().Verify(With(incoming, key: "b.txt"));

        Assert.Equal((403, "SignatureDoesNotMatch", "0002-00000201"), (result.StatusCode, result.ErrorCode, result.Ec));
        Assert.Contains("/examplebucket/b.txt\n", result.Details.Single(d => d.Key == "CanonicalRequest").Value, StringComparison.Ordinal);
    }

    [Fact]
    public void A_url_presigned_for_GET_cannot_be_used_for_HEAD()
    {
        var incoming = ServerSide.FromPresigned(V4().Presign(new OssPresignOptions { Key = "k" }), OssAddressingStyle.Path);

        var result = Verifier().Verify(With(incoming, method: "HEAD"));

        Assert.Equal("SignatureDoesNotMatch", result.ErrorCode);
    }

    [Fact]
    public void Expired_url_is_denied_with_the_expiry_and_server_time()
    {
        var incoming = ServerSide.FromPresigned(V4().Presign(new OssPresignOptions { Key = "k", Expires = TimeSpan.FromSeconds(600) }), OssAddressingStyle.Path);
        var verifier = Verifier();

        _clock.Advance(TimeSpan.FromSeconds(600));
        Assert.True(verifier.Verify(incoming).Succeeded);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var result = verifier.Verify(incoming);

        Assert.Equal((false, OssAuthScheme.V4Query, 403, "AccessDenied"), (result.Succeeded, result.Scheme, result.StatusCode, result.ErrorCode));
        Assert.Equal("Request has expired.", result.Message);
        Assert.Equal("0002-00000069", result.Ec);
        Assert.Equal([new("Expires", "2024-11-12T09:37:56.000Z"), new("ServerTime", "2024-11-12T09:37:57.000Z")], result.Details);
    }

    [Fact]
    public void A_url_dated_more_than_fifteen_minutes_ahead_is_refused()
    {
        _clock.Advance(TimeSpan.FromMinutes(16));
        var incoming = ServerSide.FromPresigned(V4().Presign(new OssPresignOptions { Key = "k" }), OssAddressingStyle.Path);
        _clock.Advance(TimeSpan.FromMinutes(-16));

        Assert.Equal("RequestTimeTooSkewed", Verifier().Verify(incoming).ErrorCode);
    }

    [Fact]
    public void Unknown_access_key_is_reported_with_the_key_id()
    {
        var incoming = SignedHeaderRequest("k", credentials: new("LTAI5tSTRANGER000000", "whatever"));

        var result = Verifier().Verify(incoming);

        Assert.Equal((403, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records."), (result.StatusCode, result.ErrorCode, result.Message));
        Assert.Equal([new("OSSAccessKeyId", "LTAI5tSTRANGER000000")], result.Details);
    }

    [Fact]
    public void A_wrong_secret_does_not_match()
    {
        var incoming = SignedHeaderRequest("k", credentials: Alice with { AccessKeySecret = "guessed" });

        Assert.Equal("SignatureDoesNotMatch", Verifier().Verify(incoming).ErrorCode);
    }

    [Fact]
    public void Header_signature_more_than_fifteen_minutes_off_is_too_skewed()
    {
        var incoming = SignedHeaderRequest("k");
        var verifier = Verifier();

        _clock.Advance(TimeSpan.FromMinutes(15));
        Assert.True(verifier.Verify(incoming).Succeeded);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var late = verifier.Verify(incoming);
        _clock.Advance(TimeSpan.FromMinutes(-31));
        var early = verifier.Verify(incoming);

        Assert.Equal((403, "RequestTimeTooSkewed", "0002-00000504"), (late.StatusCode, late.ErrorCode, late.Ec));
        Assert.Equal("The difference between the request time and the current time is too large.", late.Message);
        Assert.Equal(
            [new("RequestTime", "2024-11-12T09:27:56.000Z"), new("ServerTime", "2024-11-12T09:42:57.000Z"), new("MaxAllowedSkewMilliseconds", "900000")],
            late.Details);
        Assert.Equal("RequestTimeTooSkewed", early.ErrorCode);
    }

    [Theory]
    [InlineData("0", "0002-00000232")]
    [InlineData("604801", "0002-00000232")]
    [InlineData("-5", "0002-00000070")]
    [InlineData("ten", "0002-00000070")]
    public void Url_lifetimes_outside_one_second_to_seven_days_are_invalid(string expires, string ec)
    {
        var incoming = ServerSide.FromPresigned(V4().Presign(new OssPresignOptions { Key = "k" }), OssAddressingStyle.Path);

        var result = Verifier().Verify(WithQuery(incoming, "x-oss-expires", expires));

        Assert.Equal((400, "InvalidArgument", ec), (result.StatusCode, result.ErrorCode, result.Ec));
    }

    [Fact]
    public void Signatures_in_both_header_and_url_are_refused()
    {
        var presigned = ServerSide.FromPresigned(V4().Presign(new OssPresignOptions { Key = "k" }), OssAddressingStyle.Path);
        var header = SignedHeaderRequest("k");

        var result = Verifier().Verify(With(presigned, headers: header.Headers));

        Assert.Equal((false, 400, "InvalidArgument"), (result.Succeeded, result.StatusCode, result.ErrorCode));
    }

    [Fact]
    public void V1_and_V4_signatures_in_one_url_are_refused()
    {
        var v4 = ServerSide.FromPresigned(V4().Presign(new OssPresignOptions { Key = "k" }), OssAddressingStyle.Path);
        var v1 = ServerSide.FromPresigned(V1().Presign(new OssPresignOptions { Key = "k" }), OssAddressingStyle.Path);

        var result = Verifier().Verify(With(v4, query: [.. v4.Query, .. v1.Query]));

        Assert.Equal("InvalidArgument", result.ErrorCode);
    }

    [Fact]
    public void A_listed_additional_header_missing_from_the_request_is_refused()
    {
        var incoming = SignedHeaderRequest("k", additional: ["range"], configure: r => r.Headers.Range = new(0, 9));

        var result = Verifier().Verify(With(incoming, headers: [.. incoming.Headers.Where(h => h.Key != "Range")]));

        Assert.Equal((403, "AccessDenied", "0002-00000078"), (result.StatusCode, result.ErrorCode, result.Ec));
    }

    [Fact]
    public void A_listed_additional_header_missing_from_a_url_request_is_refused()
    {
        var presigned = V4().Presign(new OssPresignOptions { Key = "k", Headers = [new("Range", "bytes=0-9")], AdditionalHeaders = ["range"] });
        var incoming = ServerSide.FromPresigned(presigned, OssAddressingStyle.Path);
        Assert.True(Verifier().Verify(incoming).Succeeded);

        var result = Verifier().Verify(With(incoming, headers: [.. incoming.Headers.Where(h => h.Key != "Range")]));

        Assert.Equal("0002-00000078", result.Ec);
    }

    [Fact]
    public void An_empty_element_in_the_additional_headers_is_invalid()
    {
        var incoming = SignedHeaderRequest("k", additional: ["range"], configure: r => r.Headers.Range = new(0, 9));

        var result = Verifier().Verify(WithAuthorization(incoming, a => a.Replace("AdditionalHeaders=range", "AdditionalHeaders=range;", StringComparison.Ordinal)));

        Assert.Equal((400, "InvalidArgument", "0002-00000210"), (result.StatusCode, result.ErrorCode, result.Ec));
    }

    [Fact]
    public void An_empty_additional_headers_parameter_is_invalid()
    {
        var incoming = ServerSide.FromPresigned(V4().Presign(new OssPresignOptions { Key = "k" }), OssAddressingStyle.Path);

        var result = Verifier().Verify(With(incoming, query: [.. incoming.Query, new("x-oss-additional-headers", "")]));

        Assert.Equal("0002-00000076", result.Ec);
    }

    [Fact]
    public void A_credential_scoped_to_another_region_is_refused()
    {
        var incoming = SignedHeaderRequest("k");

        var result = Verifier(region: "cn-shanghai").Verify(incoming);

        Assert.Equal((403, "AccessDenied", "The signing region in credential is invalid."), (result.StatusCode, result.ErrorCode, result.Message));
    }

    [Theory]
    [InlineData("LTAI5tALICE000000000/20241112/cn-hangzhou/oss")]
    [InlineData("LTAI5tALICE000000000/20241112/cn-hangzhou/oss/aws4_request")]
    [InlineData("LTAI5tALICE000000000//cn-hangzhou/oss/aliyun_v4_request")]
    public void Malformed_credentials_are_invalid(string credential)
    {
        var incoming = SignedHeaderRequest("k");

        var result = Verifier().Verify(WithAuthorization(incoming, a => "OSS4-HMAC-SHA256 Credential=" + credential + a[a.IndexOf(",Signature", StringComparison.Ordinal)..]));

        Assert.Equal((400, "InvalidArgument", "0002-00000213"), (result.StatusCode, result.ErrorCode, result.Ec));
    }

    [Fact]
    public void A_credential_date_other_than_the_request_date_is_refused()
    {
        var incoming = SignedHeaderRequest("k");

        var result = Verifier().Verify(WithAuthorization(incoming, a => a.Replace("/20241112/", "/20241111/", StringComparison.Ordinal)));

        Assert.Equal("AccessDenied", result.ErrorCode);
    }

    [Theory]
    [InlineData("STREAMING-UNSIGNED-PAYLOAD-TRAILER")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public void A_payload_hash_other_than_UNSIGNED_PAYLOAD_is_invalid(string hash)
    {
        var incoming = SignedHeaderRequest("k");

        var result = Verifier().Verify(WithHeader(incoming, "x-oss-content-sha256", hash));

        Assert.Equal((400, "InvalidArgument", "0002-00000214"), (result.StatusCode, result.ErrorCode, result.Ec));
    }

    [Fact]
    public void Header_form_without_x_oss_date_is_denied()
    {
        var incoming = SignedHeaderRequest("k");

        var result = Verifier().Verify(With(incoming, headers: [.. incoming.Headers.Where(h => h.Key != "x-oss-date")]));

        Assert.Equal("AccessDenied", result.ErrorCode);
    }

    [Fact]
    public void The_authorization_may_use_PY1_layout_with_spaces_and_additional_headers_last()
    {
        var incoming = SignedHeaderRequest("k", additional: ["range"], configure: r => r.Headers.Range = new(0, 9));
        var authorization = incoming.Headers.Single(h => h.Key == "Authorization").Value;
        var credential = authorization[..authorization.IndexOf(',', StringComparison.Ordinal)];
        var signature = authorization[authorization.IndexOf("Signature=", StringComparison.Ordinal)..];

        var result = Verifier().Verify(WithAuthorization(incoming, _ => $"{credential}, {signature}, AdditionalHeaders=range"));

        Assert.True(result.Succeeded, result.Message);
    }

    [Fact]
    public void V1_url_expires_at_its_absolute_time()
    {
        var incoming = ServerSide.FromPresigned(V1().Presign(new OssPresignOptions { Key = "k", Expires = TimeSpan.FromSeconds(600) }), OssAddressingStyle.Path);
        var verifier = Verifier();
        Assert.True(verifier.Verify(incoming).Succeeded);

        _clock.Advance(TimeSpan.FromSeconds(601));
        var result = verifier.Verify(incoming);

        Assert.Equal((OssAuthScheme.V1Query, 403, "AccessDenied", "Request has expired.", "0002-00000069"), (result.Scheme, result.StatusCode, result.ErrorCode, result.Message, result.Ec));
        Assert.Equal([new("Expires", "2024-11-12T09:37:56.000Z"), new("ServerTime", "2024-11-12T09:37:57.000Z")], result.Details);
    }

    [Fact]
    public void V1_header_signature_too_far_from_server_time_is_skewed()
    {
        var signer = V1();
        using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint.BuildObjectUri("k"));
        signer.SignRequest(request, "k");
        _clock.Advance(TimeSpan.FromMinutes(16));

        Assert.Equal("RequestTimeTooSkewed", Verifier().Verify(ServerSide.FromHttpRequest(request, OssAddressingStyle.Path)).ErrorCode);
    }

    [Fact]
    public void V1_tampered_signature_echoes_the_string_to_sign_and_its_bytes()
    {
        var incoming = ServerSide.FromPresigned(V1().Presign(new OssPresignOptions { Key = "k" }), OssAddressingStyle.Path);

        var result = Verifier().Verify(WithQuery(incoming, "Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="));

        Assert.Equal(("SignatureDoesNotMatch", "0002-00000040"), (result.ErrorCode, result.Ec));
        var details = result.Details.ToDictionary();
        Assert.Equal("GET\n\n\n1731404576\n/examplebucket/k", details["StringToSign"]);
        Assert.StartsWith("47 45 54 0a 0a 0a 31", details["StringToSignBytes"], StringComparison.Ordinal);
    }

    [Fact]
    public void Sts_token_that_does_not_belong_to_the_key_is_refused_in_every_form()
    {
        var forger = Sts with { SecurityToken = "another-token" };
        var headerV4 = SignedHeaderRequest("k", credentials: forger);
        var queryV4 = ServerSide.FromPresigned(V4(forger).Presign(new OssPresignOptions { Key = "k" }), OssAddressingStyle.Path);
        var queryV1 = ServerSide.FromPresigned(V1(forger).Presign(new OssPresignOptions { Key = "k" }), OssAddressingStyle.Path);
        using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint.BuildObjectUri("k"));
        V1(forger).SignRequest(request, "k");
        var headerV1 = ServerSide.FromHttpRequest(request, OssAddressingStyle.Path);

        foreach (var incoming in new[] { headerV4, queryV4, queryV1, headerV1 })
        {
            var result = Verifier().Verify(incoming);
            Assert.Equal((403, "InvalidAccessKeyId", "The security token you provided is invalid."), (result.StatusCode, result.ErrorCode, result.Message));
        }
    }

    [Fact]
    public void Sts_credentials_without_their_token_are_refused()
    {
        var incoming = SignedHeaderRequest("k", credentials: Sts with { SecurityToken = null });

        Assert.Equal("InvalidAccessKeyId", Verifier().Verify(incoming).ErrorCode);
    }

    [Fact]
    public void Two_authorization_headers_are_refused()
    {
        var incoming = SignedHeaderRequest("k");

        var result = Verifier().Verify(With(incoming, headers: [.. incoming.Headers, incoming.Headers.Single(h => h.Key == "Authorization")]));

        Assert.Equal("InvalidArgument", result.ErrorCode);
    }

    [Fact]
    public void An_unknown_authorization_scheme_is_refused()
    {
        var incoming = SignedHeaderRequest("k");

        var result = Verifier().Verify(WithAuthorization(incoming, _ => "AWS4-HMAC-SHA256 Credential=x,Signature=y"));

        Assert.Equal((false, 400, "InvalidArgument"), (result.Succeeded, result.StatusCode, result.ErrorCode));
    }

    [Fact]
    public void Each_access_key_keeps_its_derived_key_cached()
    {
        var verifier = Verifier();

        for (var i = 0; i < 3; i++)
        {
            Assert.True(verifier.Verify(SignedHeaderRequest("k")).Succeeded);
            Assert.True(verifier.Verify(SignedHeaderRequest("k", credentials: Sts)).Succeeded);
        }

        Assert.Equal(2, verifier.SigningKeys.Derivations);
    }

    private OssRequestVerifier Verifier(string region = "cn-hangzhou") => ServerSide.Verifier(_clock, region, Alice, Sts);

    private OssV4Signer V4(OssCredentials? credentials = null) => new(Endpoint, new StaticCredentialsProvider(credentials ?? Alice), _clock);

    private OssV1Signer V1(OssCredentials? credentials = null) => new(Endpoint, new StaticCredentialsProvider(credentials ?? Alice), _clock);

    private OssIncomingRequest SignedHeaderRequest(string key, OssCredentials? credentials = null, IReadOnlyCollection<string>? additional = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint.BuildObjectUri(key));
        configure?.Invoke(request);
        V4(credentials).SignRequest(request, key, additionalHeaders: additional);
        return ServerSide.FromHttpRequest(request, OssAddressingStyle.Path);
    }

    private static OssIncomingRequest With(
        OssIncomingRequest incoming,
        string? method = null,
        string? key = null,
        IReadOnlyList<KeyValuePair<string, string>>? query = null,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null) =>
        new()
        {
            Method = method ?? incoming.Method,
            Bucket = incoming.Bucket,
            Key = key ?? incoming.Key,
            Query = query ?? incoming.Query,
            Headers = headers ?? incoming.Headers,
        };

    private static OssIncomingRequest WithQuery(OssIncomingRequest incoming, string name, string value) =>
        With(incoming, query: [.. incoming.Query.Select(p => p.Key == name ? new KeyValuePair<string, string>(name, value) : p)]);

    private static OssIncomingRequest WithHeader(OssIncomingRequest incoming, string name, string value) =>
        With(incoming, headers: [.. incoming.Headers.Select(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase) ? new KeyValuePair<string, string>(h.Key, value) : h)]);

    private static OssIncomingRequest WithAuthorization(OssIncomingRequest incoming, Func<string, string> change) =>
        WithHeader(incoming, "Authorization", change(incoming.Headers.Single(h => h.Key == "Authorization").Value));
}
