using System.Text;
using Gateway.Oss.Signing;
using Gateway.Oss.Tests.Support;

namespace Gateway.Oss.Tests.Signing;

public sealed class OssV4SignerTests
{
    private static readonly OssEndpoint Endpoint = new(new Uri("http://127.0.0.1:9000"), "examplebucket", "cn-hangzhou", OssAddressingStyle.Path);
    private readonly FixedTimeProvider _clock = FixedTimeProvider.At("20241112T092756Z");

    [Fact]
    public void Signing_again_replaces_the_previous_signature_instead_of_adding_a_second_one()
    {
        var signer = Signer(new("ak", "sk", "token-1"));
        using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint.BuildObjectUri("k"));
        signer.SignRequest(request, "k");
        _clock.Advance(TimeSpan.FromMinutes(1));

        var trace = new SigningTrace();
        signer.SignRequest(request, "k", query: null, additionalHeaders: null, trace);

        Assert.Single(request.Headers.GetValues("Authorization"));
        Assert.Equal("20241112T092856Z", Assert.Single(request.Headers.GetValues("x-oss-date")));
        Assert.Single(request.Headers.GetValues("x-oss-security-token"));
        Assert.Single(request.Headers.GetValues("x-oss-content-sha256"));
        Assert.EndsWith(trace.Signature!, HttpRequests.Header(request, "Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_stale_token_is_removed_when_the_credentials_no_longer_have_one()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint.BuildObjectUri("k"));
        request.Headers.TryAddWithoutValidation("x-oss-security-token", "old");

        Signer(new("ak", "sk")).SignRequest(request, "k");

        Assert.False(request.Headers.Contains("x-oss-security-token"));
    }

    [Fact]
    public void Content_headers_and_every_x_oss_header_are_signed_but_other_headers_are_not()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, Endpoint.BuildObjectUri("k"))
        {
            Content = new StringContent("hello", Encoding.UTF8, "text/plain"),
        };
        request.Content.Headers.ContentMD5 = Convert.FromBase64String("XUFAKrxLKna5cZ2REBfFkg==");
        request.Headers.TryAddWithoutValidation("x-oss-meta-Author", " alice ");
        request.Headers.TryAddWithoutValidation("If-Match", "\"etag\"");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 9);

        var trace = new SigningTrace();
        Signer(new("ak", "sk")).SignRequest(request, "k", null, null, trace);

        Assert.Equal(
            "PUT\n/examplebucket/k\n\ncontent-md5:XUFAKrxLKna5cZ2REBfFkg==\ncontent-type:text/plain; charset=utf-8\n"
            + "x-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20241112T092756Z\nx-oss-meta-author:alice\n\n\nUNSIGNED-PAYLOAD",
            trace.CanonicalRequest);
    }

    [Fact]
    public void Additional_headers_are_signed_when_present_and_left_out_when_absent()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint.BuildObjectUri("k"));
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 99);

        var trace = new SigningTrace();
        Signer(new("ak", "sk")).SignRequest(request, "k", null, ["If-Match", "Range", "x-oss-meta-ignored", "content-type"], trace);

        Assert.EndsWith("\nrange:bytes=0-99\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20241112T092756Z\n\nrange\nUNSIGNED-PAYLOAD", trace.CanonicalRequest, StringComparison.Ordinal);
        Assert.Contains(",AdditionalHeaders=range,Signature=", HttpRequests.Header(request, "Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public void Host_as_an_additional_header_is_what_HttpClient_will_send()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint.BuildObjectUri("k"));

        var trace = new SigningTrace();
        Signer(new("ak", "sk")).SignRequest(request, "k", null, ["host"], trace);

        Assert.Contains("\nhost:127.0.0.1:9000\n", trace.CanonicalRequest, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_additional_headers_the_authorization_has_no_additional_headers_element()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint.BuildObjectUri("k"));

        Signer(new("ak", "sk")).SignRequest(request, "k", null, ["range"]);

        Assert.StartsWith("OSS4-HMAC-SHA256 Credential=ak/20241112/cn-hangzhou/oss/aliyun_v4_request,Signature=", HttpRequests.Header(request, "Authorization"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("x_y")]
    [InlineData("a;b")]
    [InlineData("a b")]
    public void Invalid_additional_header_names_are_refused(string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint.BuildObjectUri("k"));

        Assert.Throws<ArgumentException>(() => Signer(new("ak", "sk")).SignRequest(request, "k", null, [name]));
    }

    [Fact]
    public void Canonical_requests_longer_than_the_stack_buffer_are_signed_the_same_way()
    {
        var key = string.Concat(Enumerable.Repeat("报告/", 200));
        using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint.BuildObjectUri(key));
        request.Headers.TryAddWithoutValidation("x-oss-meta-long", new string('v', 3000));

        var trace = new SigningTrace();
        Signer(new("ak", "sk")).SignRequest(request, key, null, null, trace);

        var verifier = ServerSide.Verifier(_clock, known: new OssCredentials("ak", "sk"));
        var result = verifier.Verify(ServerSide.FromHttpRequest(request, OssAddressingStyle.Path));
        Assert.True(result.Succeeded, result.Message + string.Join("|", result.Details));
        Assert.True(trace.CanonicalRequest!.Length > 6000);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(0.5)]
    [InlineData(604801)]
    [InlineData(-1)]
    public void Presign_lifetimes_outside_one_second_to_seven_days_are_refused(double seconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new OssPresignOptions { Key = "k", Expires = TimeSpan.FromSeconds(seconds) });

    [Fact]
    public void Presign_lifetime_defaults_to_fifteen_minutes_and_accepts_the_bounds()
    {
        Assert.Equal(TimeSpan.FromMinutes(15), new OssPresignOptions { Key = "k" }.Expires);
        Assert.Equal(TimeSpan.FromSeconds(1), new OssPresignOptions { Key = "k", Expires = TimeSpan.FromSeconds(1) }.Expires);
        Assert.Equal(TimeSpan.FromDays(7), new OssPresignOptions { Key = "k", Expires = TimeSpan.FromDays(7) }.Expires);
    }

    [Theory]
    [InlineData("x-oss-signature")]
    [InlineData("x-oss-credential")]
    [InlineData("x-oss-expires")]
    [InlineData("x-oss-security-token")]
    public void Presign_refuses_query_parameters_the_signer_owns(string name) =>
        Assert.Throws<ArgumentException>(() => Signer(new("ak", "sk")).Presign(new OssPresignOptions { Key = "k", Query = [new(name, "x")] }));

    [Fact]
    public void Presign_refuses_an_additional_header_it_was_not_given_a_value_for() =>
        Assert.Throws<ArgumentException>(() => Signer(new("ak", "sk")).Presign(new OssPresignOptions { Key = "k", AdditionalHeaders = ["range"] }));

    [Fact]
    public void Presign_leaves_headers_that_are_not_signed_out_of_the_signed_headers()
    {
        var presigned = Signer(new("ak", "sk")).Presign(new OssPresignOptions
        {
            Method = "PUT",
            Key = "k",
            Headers = [new("Content-Type", "text/plain"), new("Cache-Control", "no-cache"), new("x-oss-meta-a", "1")],
        });

        Assert.Equal([new("Content-Type", "text/plain"), new("x-oss-meta-a", "1")], presigned.SignedHeaders);
    }

    /// <summary>Found by SigningProperties: two entries for one name were signed as "a,b" but HttpClient sends them as "a, b".</summary>
    [Fact]
    public void Presign_joins_a_repeated_header_into_the_one_entry_that_was_signed()
    {
        var presigned = Signer(new("ak", "sk")).Presign(new OssPresignOptions
        {
            Key = "k",
            Headers = [new("X-Oss-Meta-A", " first "), new("x-oss-meta-a", "second")],
        });

        Assert.Equal([new("X-Oss-Meta-A", "first,second")], presigned.SignedHeaders);
        using var request = new HttpRequestMessage(HttpMethod.Get, presigned.Url);
        foreach (var (name, value) in presigned.SignedHeaders)
        {
            HttpRequests.AddHeader(request, name, value);
        }

        var verifier = ServerSide.Verifier(_clock, "cn-hangzhou", new OssCredentials("ak", "sk"));
        var result = verifier.Verify(ServerSide.FromHttpRequest(request, OssAddressingStyle.Path));
        Assert.True(result.Succeeded, $"{result.ErrorCode}: {result.Message}");
    }

    [Fact]
    public void Presign_expiration_is_the_signing_time_plus_the_lifetime()
    {
        var presigned = Signer(new("ak", "sk")).Presign(new OssPresignOptions { Key = "k", Expires = TimeSpan.FromSeconds(90.9) });

        Assert.Equal(_clock.Now.AddSeconds(90), presigned.Expiration);
        Assert.Contains("x-oss-expires=90&", presigned.Url.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public void V1_presign_has_no_additional_headers() =>
        Assert.Throws<ArgumentException>(() =>
            new OssV1Signer(Endpoint, new StaticCredentialsProvider(new("ak", "sk")), _clock).Presign(new OssPresignOptions { Key = "k", AdditionalHeaders = ["range"] }));

    private OssV4Signer Signer(OssCredentials credentials) => new(Endpoint, new StaticCredentialsProvider(credentials), _clock);
}
