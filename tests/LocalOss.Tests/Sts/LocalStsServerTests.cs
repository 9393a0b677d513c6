using System.Globalization;
using System.Net;
using LocalOss.Sts;

namespace LocalOss.Tests.Sts;

/// <summary>The STS stand-in, driven by requests built as credentials-go builds them.</summary>
public sealed class LocalStsServerTests : IAsyncLifetime
{
    private const string CallerId = "LTAI5tStsCallerKey0001";
    private const string CallerSecret = "sts-caller-secret-0123456789";
    private const string Role = "acs:ram::1234567890123456:role/gateway-reader";
    private const string ProviderArn = "acs:ram::1234567890123456:oidc-provider/ack-rrsa-test";
    private const string OidcToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl";

    private readonly LocalStsIssuer _issuer = new("sts-server-tests-issuer-key");
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
    private LocalStsServer? _sts;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private LocalStsServer Sts => _sts!;

    public async ValueTask InitializeAsync()
    {
        var options = new LocalStsServerOptions { MaxSessionDuration = 7200 };
        options.Callers.Add(new LocalStsCaller { AccessKeyId = CallerId, AccessKeySecret = CallerSecret });
        options.AllowedRoleArns.Add(Role);
        options.OidcProviderArns.Add(ProviderArn);
        options.OidcTokens.Add(OidcToken);
        _sts = await LocalStsServer.StartAsync(options, _issuer, cancellationToken: Cancellation);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_sts is not null)
        {
            await _sts.DisposeAsync();
        }
    }

    [Fact]
    public async Task AssumeRole_signed_like_credentials_go_returns_credentials_the_issuer_recognises()
    {
        var call = CredentialsGoRequest.AssumeRole(CallerId, Role, "gateway-reader@test");
        call.Form["Policy"] = "{\"Statement\":[{\"Action\":[\"oss:GetObject\"],\"Effect\":\"Allow\",\"Resource\":[\"*\"]}],\"Version\":\"1\"}";
        call.Form["ExternalId"] = "abcd1234";

        using var response = await SendAsync(call, CallerSecret);

        var body = await StsJson.ReadAsync(response, HttpStatusCode.OK);
        Assert.Equal(["RequestId", "AssumedRoleUser", "Credentials"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Role + "/gateway-reader@test", body.Text("AssumedRoleUser.Arn"));
        Assert.EndsWith(":gateway-reader@test", body.Text("AssumedRoleUser.AssumedRoleId"), StringComparison.Ordinal);
        Assert.Equal(["SecurityToken", "AccessKeyId", "AccessKeySecret", "Expiration"], body.GetProperty("Credentials").EnumerateObject().Select(p => p.Name));
        var accessKeyId = body.Text("Credentials.AccessKeyId");
        Assert.StartsWith("STS.", accessKeyId, StringComparison.Ordinal);
        var expiration = DateTimeOffset.ParseExact(body.Text("Credentials.Expiration"), "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.InRange(expiration - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(60));
        var validation = _issuer.Validate(accessKeyId, body.Text("Credentials.SecurityToken"), DateTimeOffset.UtcNow);
        Assert.Equal(new StsTokenValidation(StsTokenStatus.Valid, body.Text("Credentials.AccessKeySecret")), validation);

        var recorded = Assert.Single(Sts.Calls);
        Assert.Equal(new LocalStsCall("AssumeRole", "POST", CallerId, Role, "gateway-reader@test", 3600, "abcd1234", HasPolicy: true, HttpStatusCode.OK), recorded);
    }

    [Fact]
    public async Task AssumeRole_by_GET_with_every_parameter_in_the_query_is_accepted()
    {
        var call = CredentialsGoRequest.AssumeRole(CallerId, Role, durationSeconds: 7200, method: "GET");

        using var response = await SendAsync(call, CallerSecret);

        await StsJson.ReadAsync(response, HttpStatusCode.OK);
        Assert.Equal("GET", Assert.Single(Sts.Calls).HttpMethod);
    }

    [Fact]
    public async Task Wrong_secret_is_refused_with_SignatureDoesNotMatch()
    {
        using var response = await SendAsync(CredentialsGoRequest.AssumeRole(CallerId, Role), "not-the-secret");

        var error = await StsJson.ReadErrorAsync(response, HttpStatusCode.BadRequest, "SignatureDoesNotMatch");
        Assert.DoesNotContain("Signature=", error.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(0, _issuer.IssuedCount);
    }

    [Fact]
    public async Task Parameter_changed_after_signing_is_refused_with_SignatureDoesNotMatch()
    {
        var call = CredentialsGoRequest.AssumeRole(CallerId, Role);
        call.Sign(CallerSecret);
        call.Form["DurationSeconds"] = "7200";

        using var response = await _http.SendAsync(call.ToHttpRequest(Sts.BaseAddress), Cancellation);

        await StsJson.ReadErrorAsync(response, HttpStatusCode.BadRequest, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task Timestamp_more_than_15_minutes_old_is_refused()
    {
        var call = CredentialsGoRequest.AssumeRole(CallerId, Role, timestamp: DateTimeOffset.UtcNow.AddMinutes(-16));

        using var response = await SendAsync(call, CallerSecret);

        await StsJson.ReadErrorAsync(response, HttpStatusCode.BadRequest, "InvalidTimeStamp.Expired");
    }

    [Fact]
    public async Task Reused_nonce_is_refused_with_SignatureNonceUsed()
    {
        var call = CredentialsGoRequest.AssumeRole(CallerId, Role);
        call.Sign(CallerSecret);
        using var first = await _http.SendAsync(call.ToHttpRequest(Sts.BaseAddress), Cancellation);
        await StsJson.ReadAsync(first, HttpStatusCode.OK);

        using var replay = await _http.SendAsync(call.ToHttpRequest(Sts.BaseAddress), Cancellation);

        await StsJson.ReadErrorAsync(replay, HttpStatusCode.BadRequest, "SignatureNonceUsed");
        Assert.Equal(1, _issuer.IssuedCount);
    }

    [Fact]
    public async Task Unknown_access_key_is_refused_with_InvalidAccessKeyId_NotFound()
    {
        using var response = await SendAsync(CredentialsGoRequest.AssumeRole("LTAI5tNobodyKnowsThis", Role), CallerSecret);

        await StsJson.ReadErrorAsync(response, HttpStatusCode.NotFound, "InvalidAccessKeyId.NotFound");
    }

    [Theory]
    [InlineData(899)]
    [InlineData(7201)]
    public async Task DurationSeconds_outside_900_to_MaxSessionDuration_is_refused(int duration)
    {
        using var response = await SendAsync(CredentialsGoRequest.AssumeRole(CallerId, Role, durationSeconds: duration), CallerSecret);

        await StsJson.ReadErrorAsync(response, HttpStatusCode.BadRequest, "InvalidParameter.DurationSeconds");
        Assert.Equal(duration, Assert.Single(Sts.Calls).DurationSeconds);
    }

    [Fact]
    public async Task Role_outside_the_allowed_list_is_refused_with_NoPermission()
    {
        using var response = await SendAsync(CredentialsGoRequest.AssumeRole(CallerId, "acs:ram::1234567890123456:role/admin"), CallerSecret);

        await StsJson.ReadErrorAsync(response, HttpStatusCode.Forbidden, "NoPermission");
    }

    [Fact]
    public async Task Missing_RoleArn_is_refused_with_MissingRoleArn()
    {
        var call = CredentialsGoRequest.AssumeRole(CallerId, Role);
        call.Form.Remove("RoleArn");

        using var response = await SendAsync(call, CallerSecret);

        await StsJson.ReadErrorAsync(response, HttpStatusCode.BadRequest, "MissingRoleArn");
    }

    [Fact]
    public async Task Issued_credentials_can_assume_a_role_in_turn_but_only_with_their_token()
    {
        var issued = _issuer.Issue(Role, "chain", TimeSpan.FromHours(1));

        using var withToken = await SendAsync(CredentialsGoRequest.AssumeRole(issued.AccessKeyId, Role, securityToken: issued.SecurityToken), issued.AccessKeySecret);
        using var withoutToken = await SendAsync(CredentialsGoRequest.AssumeRole(issued.AccessKeyId, Role), issued.AccessKeySecret);

        await StsJson.ReadAsync(withToken, HttpStatusCode.OK);
        await StsJson.ReadErrorAsync(withoutToken, HttpStatusCode.BadRequest, "MissingSecurityToken");
    }

    [Fact]
    public async Task Caller_configured_with_a_security_token_must_send_that_token()
    {
        var options = new LocalStsServerOptions();
        options.Callers.Add(new LocalStsCaller { AccessKeyId = "STS.ConfiguredCaller", AccessKeySecret = "configured-secret", SecurityToken = "configured+token/=" });
        await using var sts = await LocalStsServer.StartAsync(options, _issuer, cancellationToken: Cancellation);

        using var without = await SendAsync(sts, CredentialsGoRequest.AssumeRole("STS.ConfiguredCaller", Role), "configured-secret");
        using var wrong = await SendAsync(sts, CredentialsGoRequest.AssumeRole("STS.ConfiguredCaller", Role, securityToken: "another-token"), "configured-secret");
        using var right = await SendAsync(sts, CredentialsGoRequest.AssumeRole("STS.ConfiguredCaller", Role, securityToken: "configured+token/="), "configured-secret");

        await StsJson.ReadErrorAsync(without, HttpStatusCode.BadRequest, "MissingSecurityToken");
        await StsJson.ReadErrorAsync(wrong, HttpStatusCode.BadRequest, "InvalidSecurityToken.MismatchWithAccessKey");
        await StsJson.ReadAsync(right, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Timestamp_not_in_ISO_8601_seconds_is_refused_with_InvalidTimeStamp_Format()
    {
        var call = CredentialsGoRequest.AssumeRole(CallerId, Role);
        call.Query["Timestamp"] = DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture);

        using var response = await SendAsync(call, CallerSecret);

        await StsJson.ReadErrorAsync(response, HttpStatusCode.BadRequest, "InvalidTimeStamp.Format");
    }

    [Fact]
    public async Task AssumeRoleWithOIDC_with_an_accepted_token_is_answered_without_a_signature()
    {
        using var response = await SendAsync(CredentialsGoRequest.AssumeRoleWithOidc(Role, ProviderArn, OidcToken), secret: null);

        var body = await StsJson.ReadAsync(response, HttpStatusCode.OK);
        Assert.Equal(StsTokenStatus.Valid, _issuer.Validate(body.Text("Credentials.AccessKeyId"), body.Text("Credentials.SecurityToken"), DateTimeOffset.UtcNow).Status);
        var recorded = Assert.Single(Sts.Calls);
        Assert.Equal("AssumeRoleWithOIDC", recorded.Action);
        Assert.Null(recorded.CallerAccessKeyId);
    }

    [Fact]
    public async Task AssumeRoleWithOIDC_with_an_unknown_provider_is_refused()
    {
        using var response = await SendAsync(CredentialsGoRequest.AssumeRoleWithOidc(Role, "acs:ram::1234567890123456:oidc-provider/other", OidcToken), secret: null);

        await StsJson.ReadErrorAsync(response, HttpStatusCode.Unauthorized, "AuthenticationFail.NoPermission");
    }

    [Fact]
    public async Task AssumeRoleWithOIDC_follows_a_token_rotation()
    {
        const string Rotated = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyb3RhdGVkIn0.c2lnbmF0dXJlMg";
        Sts.SetAcceptedOidcTokens(Rotated);

        using var old = await SendAsync(CredentialsGoRequest.AssumeRoleWithOidc(Role, ProviderArn, OidcToken), secret: null);
        using var rotated = await SendAsync(CredentialsGoRequest.AssumeRoleWithOidc(Role, ProviderArn, Rotated), secret: null);

        await StsJson.ReadErrorAsync(old, HttpStatusCode.Unauthorized, "AuthenticationFail.OIDCToken.Invalid");
        await StsJson.ReadAsync(rotated, HttpStatusCode.OK);
    }

    [Fact]
    public async Task IssuedLifetimeOverride_issues_short_lived_credentials_and_reports_their_real_expiration()
    {
        Sts.IssuedLifetimeOverride = TimeSpan.FromSeconds(3);

        using var response = await SendAsync(CredentialsGoRequest.AssumeRole(CallerId, Role, durationSeconds: 900), CallerSecret);

        var body = await StsJson.ReadAsync(response, HttpStatusCode.OK);
        var expiration = DateTimeOffset.ParseExact(body.Text("Credentials.Expiration"), "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.InRange(expiration - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
        Assert.Equal(StsTokenStatus.Expired, _issuer.Validate(body.Text("Credentials.AccessKeyId"), body.Text("Credentials.SecurityToken"), expiration).Status);
    }

    [Fact]
    public async Task FailNext_fails_that_many_calls_then_recovers()
    {
        Sts.FailNext(2, HttpStatusCode.ServiceUnavailable);

        for (var i = 0; i < 2; i++)
        {
            using var failed = await SendAsync(CredentialsGoRequest.AssumeRole(CallerId, Role), CallerSecret);
            await StsJson.ReadErrorAsync(failed, HttpStatusCode.ServiceUnavailable, "ServiceUnavailable");
        }

        using var recovered = await SendAsync(CredentialsGoRequest.AssumeRole(CallerId, Role), CallerSecret);
        await StsJson.ReadAsync(recovered, HttpStatusCode.OK);
        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK], Sts.Calls.Select(c => c.Status));
    }

    [Fact]
    public async Task Credentials_uri_answers_in_the_shape_credentials_go_reads_and_counts_requests()
    {
        Sts.FailNext(1, HttpStatusCode.InternalServerError);
        using var failed = await _http.GetAsync(Sts.CredentialsUri, Cancellation);
        using var response = await _http.GetAsync(Sts.CredentialsUri, Cancellation);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        var body = await StsJson.ReadAsync(response, HttpStatusCode.OK);
        Assert.Equal(["Code", "AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Success", body.Text("Code"));
        var validation = _issuer.Validate(body.Text("AccessKeyId"), body.Text("SecurityToken"), DateTimeOffset.UtcNow);
        Assert.Equal(body.Text("AccessKeySecret"), validation.AccessKeySecret);
        Assert.Equal(2, Sts.CredentialsUriRequests);
    }

    [Fact]
    public async Task Unknown_action_is_refused_with_InvalidApi_NotFound()
    {
        var call = new CredentialsGoRequest { Action = "GetCallerIdentity" };
        call.Query["Action"] = "GetCallerIdentity";

        using var response = await SendAsync(call, secret: null);

        await StsJson.ReadErrorAsync(response, HttpStatusCode.NotFound, "InvalidApi.NotFound");
    }

    private Task<HttpResponseMessage> SendAsync(CredentialsGoRequest call, string? secret) => SendAsync(Sts, call, secret);

    private Task<HttpResponseMessage> SendAsync(LocalStsServer sts, CredentialsGoRequest call, string? secret)
    {
        if (secret is not null)
        {
            call.Sign(secret);
        }

        return _http.SendAsync(call.ToHttpRequest(sts.BaseAddress), Cancellation);
    }
}
