using System.Net;
using LocalOss.Sts;

namespace LocalOss.Tests.Sts;

/// <summary>The ECS metadata stand-in, driven in the order credentials-go's ECS RAM role provider calls it.</summary>
public sealed class LocalEcsMetadataServerTests : IAsyncDisposable
{
    private const string TokenTtlHeader = "X-aliyun-ecs-metadata-token-ttl-seconds";
    private const string TokenHeader = "X-aliyun-ecs-metadata-token";
    private const string RolesPath = "latest/meta-data/ram/security-credentials/";

    private readonly LocalStsIssuer _issuer = new("ecs-metadata-tests-issuer-key");
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
    private LocalEcsMetadataServer? _server;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Token_then_role_name_then_credentials_the_issuer_recognises()
    {
        var server = await StartAsync(new LocalEcsMetadataOptions { RoleName = "gateway-ecs-role" });

        var token = await GetTokenAsync(server, "21600");
        var role = await GetTextAsync(server, RolesPath, token);
        using var response = await GetAsync(server, RolesPath + role, token);

        Assert.Equal("gateway-ecs-role", role);
        var body = await StsJson.ReadAsync(response, HttpStatusCode.OK);
        Assert.Equal(["AccessKeyId", "AccessKeySecret", "Expiration", "SecurityToken", "LastUpdated", "Code"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Success", body.Text("Code"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", body.Text("Expiration"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", body.Text("LastUpdated"));
        var validation = _issuer.Validate(body.Text("AccessKeyId"), body.Text("SecurityToken"), DateTimeOffset.UtcNow);
        Assert.Equal(new StsTokenValidation(StsTokenStatus.Valid, body.Text("AccessKeySecret")), validation);
        Assert.Equal((1, 1, 0), (server.TokenRequests, server.CredentialRequests, server.RequestsWithoutToken));
    }

    [Fact]
    public async Task Without_a_token_IMDSv2_refuses_with_401_and_counts_the_attempt()
    {
        var server = await StartAsync(new LocalEcsMetadataOptions());

        using var roles = await GetAsync(server, RolesPath, token: null);
        using var credentials = await GetAsync(server, RolesPath + "LocalEcsRamRole", token: null);
        using var unknownToken = await GetAsync(server, RolesPath, token: "not-issued-here");

        Assert.Equal(HttpStatusCode.Unauthorized, roles.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, credentials.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownToken.StatusCode);
        Assert.Equal(2, server.RequestsWithoutToken);
        Assert.Equal(0, _issuer.IssuedCount);
    }

    [Fact]
    public async Task Expired_metadata_token_is_refused_with_401()
    {
        var server = await StartAsync(new LocalEcsMetadataOptions());
        var token = await GetTokenAsync(server, "1");

        await Task.Delay(TimeSpan.FromSeconds(1.2), Cancellation);
        using var response = await GetAsync(server, RolesPath, token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    [InlineData("21601")]
    [InlineData("six hours")]
    public async Task Token_ttl_outside_1_to_21600_is_refused_with_400(string? ttl)
    {
        var server = await StartAsync(new LocalEcsMetadataOptions());
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(server.BaseAddress, "latest/api/token"));
        if (ttl is not null)
        {
            request.Headers.Add(TokenTtlHeader, ttl);
        }

        using var response = await _http.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(1, server.TokenRequests);
    }

    [Fact]
    public async Task IMDSv1_answers_without_a_token_when_tokens_are_not_required()
    {
        var server = await StartAsync(new LocalEcsMetadataOptions { RequireToken = false });

        var role = await GetTextAsync(server, RolesPath, token: null);
        using var response = await GetAsync(server, RolesPath + role, token: null);

        await StsJson.ReadAsync(response, HttpStatusCode.OK);
        Assert.Equal(2, server.RequestsWithoutToken);
    }

    [Fact]
    public async Task Unknown_role_is_404()
    {
        var server = await StartAsync(new LocalEcsMetadataOptions());
        var token = await GetTokenAsync(server, "60");

        using var response = await GetAsync(server, RolesPath + "someone-else", token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, _issuer.IssuedCount);
    }

    [Fact]
    public async Task Override_and_outage_controls_apply()
    {
        var server = await StartAsync(new LocalEcsMetadataOptions());
        server.IssuedLifetimeOverride = TimeSpan.FromSeconds(5);
        var token = await GetTokenAsync(server, "60");
        server.FailNext(1, HttpStatusCode.InternalServerError);

        using var failed = await GetAsync(server, RolesPath + "LocalEcsRamRole", token);
        using var response = await GetAsync(server, RolesPath + "LocalEcsRamRole", token);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        var body = await StsJson.ReadAsync(response, HttpStatusCode.OK);
        var expiration = DateTimeOffset.Parse(body.Text("Expiration"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiration - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5));
        Assert.Equal(2, server.CredentialRequests);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private async Task<LocalEcsMetadataServer> StartAsync(LocalEcsMetadataOptions options) =>
        _server = await LocalEcsMetadataServer.StartAsync(options, _issuer, cancellationToken: Cancellation);

    private async Task<string> GetTokenAsync(LocalEcsMetadataServer server, string ttl)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(server.BaseAddress, "latest/api/token"));
        request.Headers.Add(TokenTtlHeader, ttl);
        using var response = await _http.SendAsync(request, Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Cancellation);
    }

    private async Task<string> GetTextAsync(LocalEcsMetadataServer server, string path, string? token)
    {
        using var response = await GetAsync(server, path, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsStringAsync(Cancellation)).Trim();
    }

    private Task<HttpResponseMessage> GetAsync(LocalEcsMetadataServer server, string path, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseAddress, path));
        if (token is not null)
        {
            request.Headers.Add(TokenHeader, token);
        }

        return _http.SendAsync(request, Cancellation);
    }
}
