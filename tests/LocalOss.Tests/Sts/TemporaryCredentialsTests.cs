using System.Net;
using Gateway.Oss;
using LocalOss.Sts;
using LocalOss.Tests.Infrastructure;

namespace LocalOss.Tests.Sts;

/// <summary>LocalOss accepts the credentials a <see cref="LocalStsIssuer"/> hands out, and refuses them as OSS does.</summary>
public sealed class TemporaryCredentialsTests : IAsyncLifetime
{
    private const string IssuerKey = "temporary-credentials-tests-key";
    private const string Role = "acs:ram::1234567890123456:role/gateway-reader";
    private const string Key = "sts/report (1).txt";

    private readonly LocalStsIssuer _issuer = new(IssuerKey);
    private TestServer? _server;

    public enum Scheme
    {
        V4Header,
        V4Presigned,
        V1Header,
        V1Presigned,
    }

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private TestServer Server => _server!;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync(options => options.AdditionalCredentials.Add(new LocalOssCredential
        {
            AccessKeyId = "LTAI5tExpiredStaticKey",
            AccessKeySecret = "expired-static-secret",
            SecurityToken = "static-token",
            Expiration = DateTimeOffset.UtcNow.AddMinutes(-1),
        }), _issuer);
        await Server.PutOkAsync(Key, "temporary"u8.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(Scheme.V4Header)]
    [InlineData(Scheme.V4Presigned)]
    [InlineData(Scheme.V1Header)]
    [InlineData(Scheme.V1Presigned)]
    public async Task Issued_credentials_are_accepted(Scheme scheme)
    {
        using var response = await GetAsync(scheme, Credentials(_issuer.Issue(Role, "reader", TimeSpan.FromHours(1))));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("temporary", await response.Content.ReadAsStringAsync(Cancellation));
    }

    [Theory]
    [InlineData(Scheme.V4Header)]
    [InlineData(Scheme.V4Presigned)]
    [InlineData(Scheme.V1Header)]
    [InlineData(Scheme.V1Presigned)]
    public async Task Expired_credentials_are_refused_with_SecurityTokenExpired(Scheme scheme)
    {
        // Same key and generation, a clock two hours behind: credentials that ran out an hour ago.
        var pastIssuer = new LocalStsIssuer(IssuerKey, FixedTimeProvider.Offset(TimeSpan.FromHours(-2)));
        var issued = pastIssuer.Issue(Role, "reader", TimeSpan.FromHours(1));

        using var response = await GetAsync(scheme, Credentials(issued));

        var error = await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "SecurityTokenExpired");
        Assert.Equal("0002-00000007", (string?)error.Element("EC"));
        AssertNoSecrets(error.ToString(), issued);
    }

    [Theory]
    [InlineData(Scheme.V4Header)]
    [InlineData(Scheme.V4Presigned)]
    [InlineData(Scheme.V1Header)]
    [InlineData(Scheme.V1Presigned)]
    public async Task Invalidated_credentials_are_refused_with_InvalidSecurityToken(Scheme scheme)
    {
        var issued = _issuer.Issue(Role, "reader", TimeSpan.FromHours(1));
        _issuer.InvalidateAllIssued();

        using var response = await GetAsync(scheme, Credentials(issued));

        var error = await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "InvalidSecurityToken");
        AssertNoSecrets(error.ToString(), issued);
    }

    [Theory]
    [InlineData(Scheme.V4Header)]
    [InlineData(Scheme.V4Presigned)]
    [InlineData(Scheme.V1Header)]
    [InlineData(Scheme.V1Presigned)]
    public async Task Issued_key_without_its_token_is_refused_with_InvalidAccessKeyId(Scheme scheme)
    {
        var issued = _issuer.Issue(Role, "reader", TimeSpan.FromHours(1));

        using var response = await GetAsync(scheme, new OssCredentials(issued.AccessKeyId, issued.AccessKeySecret));

        await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "InvalidAccessKeyId");
    }

    [Fact]
    public async Task Token_of_other_issued_credentials_is_refused_with_InvalidSecurityToken()
    {
        var mine = _issuer.Issue(Role, "mine", TimeSpan.FromHours(1));
        var theirs = _issuer.Issue(Role, "theirs", TimeSpan.FromHours(1));

        using var response = await GetAsync(Scheme.V4Header, new OssCredentials(mine.AccessKeyId, mine.AccessKeySecret, theirs.SecurityToken));

        await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "InvalidSecurityToken");
    }

    [Theory]
    [InlineData(Scheme.V4Header)]
    [InlineData(Scheme.V4Presigned)]
    [InlineData(Scheme.V1Header)]
    [InlineData(Scheme.V1Presigned)]
    public async Task Wrong_secret_with_a_valid_token_is_SignatureDoesNotMatch_without_the_token_in_the_body(Scheme scheme)
    {
        var issued = _issuer.Issue(Role, "reader", TimeSpan.FromHours(1));

        using var response = await GetAsync(scheme, new OssCredentials(issued.AccessKeyId, "not-the-secret", issued.SecurityToken));

        var error = await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
        AssertNoSecrets(error.ToString(), issued);
        Assert.Contains("(security token withheld)", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Static_credential_past_its_Expiration_is_refused_with_SecurityTokenExpired()
    {
        using var response = await GetAsync(Scheme.V4Header, new OssCredentials("LTAI5tExpiredStaticKey", "expired-static-secret", "static-token"));

        await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "SecurityTokenExpired");
    }

    [Fact]
    public async Task Without_an_issuer_LocalOss_does_not_know_issued_keys()
    {
        await using var plain = await TestServer.StartAsync();
        var issued = _issuer.Issue(Role, "reader", TimeSpan.FromHours(1));
        var request = plain.Request(HttpMethod.Get, Key);
        plain.V4(credentials: Credentials(issued)).SignRequest(request, Key);

        using var response = await plain.Http.SendAsync(request, Cancellation);

        await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "InvalidAccessKeyId");
    }

    [Fact]
    public async Task Credentials_from_AssumeRole_work_until_the_short_override_runs_out()
    {
        var options = new LocalStsServerOptions();
        options.Callers.Add(new LocalStsCaller { AccessKeyId = "LTAI5tStsCallerKey0002", AccessKeySecret = "caller-secret" });
        await using var sts = await LocalStsServer.StartAsync(options, _issuer, cancellationToken: Cancellation);
        sts.IssuedLifetimeOverride = TimeSpan.FromSeconds(2);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var call = CredentialsGoRequest.AssumeRole("LTAI5tStsCallerKey0002", Role, durationSeconds: 900);
        call.Sign("caller-secret");
        using var assumed = await http.SendAsync(call.ToHttpRequest(sts.BaseAddress), Cancellation);
        var body = await StsJson.ReadAsync(assumed, HttpStatusCode.OK);
        var credentials = new OssCredentials(body.Text("Credentials.AccessKeyId"), body.Text("Credentials.AccessKeySecret"), body.Text("Credentials.SecurityToken"));
        var expiration = DateTimeOffset.Parse(body.Text("Credentials.Expiration"), System.Globalization.CultureInfo.InvariantCulture);

        using var before = await GetAsync(Scheme.V4Header, credentials);
        await Task.Delay(expiration - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200), Cancellation);
        using var after = await GetAsync(Scheme.V4Header, credentials);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        await OssErrorXml.ReadAsync(after, HttpStatusCode.Forbidden, "SecurityTokenExpired");
    }

    private static OssCredentials Credentials(IssuedCredentials issued) =>
        new(issued.AccessKeyId, issued.AccessKeySecret, issued.SecurityToken);

    private static void AssertNoSecrets(string body, IssuedCredentials issued)
    {
        Assert.DoesNotContain(issued.AccessKeySecret, body, StringComparison.Ordinal);
        Assert.DoesNotContain(issued.SecurityToken, body, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString(issued.SecurityToken), body, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(issued.SecurityToken)[..12]), body.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> GetAsync(Scheme scheme, OssCredentials credentials)
    {
        switch (scheme)
        {
            case Scheme.V4Header:
            case Scheme.V1Header:
                var request = Server.Request(HttpMethod.Get, Key);
                if (scheme == Scheme.V4Header)
                {
                    Server.V4(credentials: credentials).SignRequest(request, Key);
                }
                else
                {
                    Server.V1(credentials: credentials).SignRequest(request, Key);
                }

                return Server.Http.SendAsync(request, Cancellation);
            default:
                var options = new OssPresignOptions { Key = Key, Expires = TimeSpan.FromMinutes(5) };
                var presigned = scheme == Scheme.V4Presigned ? Server.V4(credentials: credentials).Presign(options) : Server.V1(credentials: credentials).Presign(options);
                return Server.Http.GetAsync(presigned.Url, Cancellation);
        }
    }
}
