using System.Net;
using Gateway.Oss;
using LocalOss.Tests.Infrastructure;

namespace LocalOss.Tests;

/// <summary>Every request is verified by Gateway.Oss's verifier: all four signing forms pass, the rest is refused as OSS does.</summary>
public sealed class AuthenticationTests : LocalOssTest
{
    private const string Key = "auth/报告 (1)+x.txt";
    private static readonly OssCredentials StsCredentials = new("STS.LocalOssTemporary", "sts-secret", "sts+token/with=chars");

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Server.PutOkAsync(Key, "secret bytes"u8.ToArray());
    }

    [Fact]
    public async Task V4_authorization_header_is_accepted()
    {
        var request = Server.Request(HttpMethod.Get, Key);
        Server.V4().SignRequest(request, Key, additionalHeaders: ["host"]);

        using var response = await Server.Http.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("secret bytes", await response.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task V4_presigned_url_is_accepted()
    {
        var presigned = Server.V4().Presign(new OssPresignOptions { Key = Key, Expires = TimeSpan.FromMinutes(5) });

        using var response = await Server.Http.GetAsync(presigned.Url, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("secret bytes", await response.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task V4_presigned_put_with_a_signed_content_type_stores_the_object()
    {
        var presigned = Server.V4().Presign(new OssPresignOptions
        {
            Method = "PUT",
            Key = "auth/presigned-put.txt",
            Headers = [new("Content-Type", "text/plain")],
        });
        using var content = new StringContent("uploaded", System.Text.Encoding.UTF8);
        content.Headers.ContentType = new("text/plain");

        using var response = await Server.Http.PutAsync(presigned.Url, content, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var get = await Server.GetAsync("auth/presigned-put.txt");
        Assert.Equal("uploaded", await get.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task V1_authorization_header_is_accepted()
    {
        var request = Server.Request(HttpMethod.Get, Key);
        Server.V1().SignRequest(request, Key);

        using var response = await Server.Http.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("secret bytes", await response.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task V1_presigned_url_is_accepted()
    {
        var presigned = Server.V1().Presign(new OssPresignOptions { Key = Key, Expires = TimeSpan.FromMinutes(5) });

        using var response = await Server.Http.GetAsync(presigned.Url, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Sts_credentials_with_their_token_are_accepted()
    {
        await using var server = await TestServer.StartAsync(o => o.AdditionalCredentials.Add(new LocalOssCredential
        {
            AccessKeyId = StsCredentials.AccessKeyId,
            AccessKeySecret = StsCredentials.AccessKeySecret,
            SecurityToken = StsCredentials.SecurityToken,
        }));
        var request = server.Request(HttpMethod.Put, "sts.txt");
        request.Content = new ByteArrayContent("sts"u8.ToArray());
        server.V4(credentials: StsCredentials).SignRequest(request, "sts.txt");

        using var response = await server.Http.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Tampered_header_signature_is_refused_with_SignatureDoesNotMatch()
    {
        var request = Server.Request(HttpMethod.Get, Key);
        Server.V4().SignRequest(request, Key);
        var authorization = request.Headers.Authorization!.ToString();
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", Flip(authorization));

        using var response = await Server.Http.SendAsync(request, Cancellation);

        var error = await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
        Assert.Equal("0002-00000201", (string?)error.Element("EC"));
        Assert.NotNull(error.Element("CanonicalRequest"));
    }

    [Fact]
    public async Task Tampered_presigned_url_is_refused_with_SignatureDoesNotMatch()
    {
        var url = Server.V4().Presign(new OssPresignOptions { Key = Key }).Url.OriginalString;

        using var response = await Server.Http.GetAsync(new Uri(Flip(url), new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }), Cancellation);

        await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task Header_signed_for_another_key_is_refused_with_SignatureDoesNotMatch()
    {
        var request = Server.Request(HttpMethod.Get, Key);
        Server.V4().SignRequest(request, "auth/other.txt");

        using var response = await Server.Http.SendAsync(request, Cancellation);

        await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task Url_presigned_for_get_is_refused_for_head()
    {
        var presigned = Server.V4().Presign(new OssPresignOptions { Key = Key });

        using var response = await Server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, presigned.Url), Cancellation);

        await OssErrorXml.ReadHeadAsync(response, HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task Wrong_secret_is_refused_with_SignatureDoesNotMatch()
    {
        var request = Server.Request(HttpMethod.Get, Key);
        Server.V4(credentials: TestServer.Credentials with { AccessKeySecret = "not-the-secret" }).SignRequest(request, Key);

        using var response = await Server.Http.SendAsync(request, Cancellation);

        await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task Expired_presigned_url_is_refused_with_AccessDenied()
    {
        var signedAnHourAgo = FixedTimeProvider.Offset(TimeSpan.FromHours(-1));
        var presigned = Server.V4(time: signedAnHourAgo).Presign(new OssPresignOptions { Key = Key, Expires = TimeSpan.FromMinutes(10) });

        using var response = await Server.Http.GetAsync(presigned.Url, Cancellation);

        var error = await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "AccessDenied");
        Assert.Equal("Request has expired.", (string?)error.Element("Message"));
        Assert.NotNull(error.Element("Expires"));
        Assert.NotNull(error.Element("ServerTime"));
        Assert.Equal("0002-00000069", (string?)error.Element("EC"));
    }

    [Fact]
    public async Task Expired_v1_presigned_url_is_refused_with_AccessDenied()
    {
        var presigned = Server.V1(time: FixedTimeProvider.Offset(TimeSpan.FromHours(-1))).Presign(new OssPresignOptions { Key = Key, Expires = TimeSpan.FromMinutes(10) });

        using var response = await Server.Http.GetAsync(presigned.Url, Cancellation);

        var error = await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "AccessDenied");
        Assert.Equal("Request has expired.", (string?)error.Element("Message"));
    }

    [Fact]
    public async Task Header_signature_from_a_skewed_clock_is_refused_with_RequestTimeTooSkewed()
    {
        var request = Server.Request(HttpMethod.Get, Key);
        Server.V4(time: FixedTimeProvider.Offset(TimeSpan.FromMinutes(-20))).SignRequest(request, Key);

        using var response = await Server.Http.SendAsync(request, Cancellation);

        await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "RequestTimeTooSkewed");
    }

    [Fact]
    public async Task Unknown_access_key_is_refused_with_InvalidAccessKeyId()
    {
        var request = Server.Request(HttpMethod.Get, Key);
        Server.V4(credentials: new OssCredentials("LTAI5tUnknownKeyId000", "whatever")).SignRequest(request, Key);

        using var response = await Server.Http.SendAsync(request, Cancellation);

        var error = await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "InvalidAccessKeyId");
        Assert.Equal("LTAI5tUnknownKeyId000", (string?)error.Element("OSSAccessKeyId"));
    }

    [Fact]
    public async Task Signature_for_another_region_is_refused()
    {
        var endpoint = new OssEndpoint(Server.Origin, TestServer.Bucket, "cn-shanghai", OssAddressingStyle.Path);
        var request = new HttpRequestMessage(HttpMethod.Get, endpoint.BuildObjectUri(Key));
        new OssV4Signer(endpoint, new StaticCredentialsProvider(TestServer.Credentials), TimeProvider.System).SignRequest(request, Key);

        using var response = await Server.Http.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Anonymous_request_is_refused_with_AccessDenied()
    {
        using var response = await Server.Http.GetAsync(Server.Endpoint().BuildObjectUri(Key), Cancellation);

        var error = await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "AccessDenied");
        Assert.DoesNotContain("secret bytes", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Anonymous_put_stores_nothing()
    {
        using var response = await Server.Http.PutAsync(Server.Endpoint().BuildObjectUri("anonymous.txt"), new ByteArrayContent("x"u8.ToArray()), Cancellation);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var get = await Server.GetAsync("anonymous.txt");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    // Changes the last character of the signature, which ends both the header and the URL forms.
    private static string Flip(string signed) => signed[..^1] + (signed[^1] == '0' ? '1' : '0');
}
