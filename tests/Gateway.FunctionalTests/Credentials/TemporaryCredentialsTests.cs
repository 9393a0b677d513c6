using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Buckets;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Oss;

namespace Gateway.FunctionalTests.Credentials;

/// <summary>
/// Each temporary credential type, on real sockets: the gateway fetches credentials from the local
/// STS or metadata stand-in, signs downloads with them, and LocalOss accepts them (or refuses them
/// as OSS does once they expire or are revoked).
/// </summary>
public sealed class TemporaryCredentialsTests
{
    private static readonly byte[] Content = "temporary credentials, real signatures"u8.ToArray();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("EcsRamRole")]
    [InlineData("OidcRoleArn")]
    [InlineData("RamRoleArn")]
    [InlineData("CredentialsUri")]
    [InlineData("Sts")]
    [InlineData("AccessKey")]
    public async Task Each_type_signs_downloads_that_LocalOss_accepts(string type)
    {
        await using var env = await CredentialsEnvironment.StartAsync();
        await env.StartGatewayAsync(env.Settings(type));
        await env.PutObjectAsync("report.pdf", Content);
        var code = await env.CreateLinkAsync("report.pdf");

        using var response = await env.Gateway.Client.GetAsync($"/{code}", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Content, await response.Content.ReadAsByteArrayAsync(Cancel));
        var signedWith = Bucket(env).Credentials.GetCredentials();
        if (type == "AccessKey")
        {
            Assert.Equal((GatewayTestEnvironment.AccessKeyId, null), (signedWith.AccessKeyId, signedWith.SecurityToken));
        }
        else
        {
            Assert.StartsWith("STS.", signedWith.AccessKeyId, StringComparison.Ordinal);
            Assert.NotNull(signedWith.SecurityToken);
        }

        AssertNoSecretLogged(env);
    }

    [Fact]
    public async Task EcsRamRole_discovers_the_role_and_uses_an_IMDSv2_token_for_every_read()
    {
        await using var env = await CredentialsEnvironment.StartAsync();
        await env.StartGatewayAsync(env.Settings("EcsRamRole"));
        await env.PutObjectAsync("a.bin", Content);
        var code = await env.CreateLinkAsync("a.bin");

        for (var i = 0; i < 50; i++)
        {
            using var response = await env.Gateway.Client.GetAsync($"/{code}", Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The stand-in runs in hardened mode (a GET without the token is refused with 401).
        Assert.Equal(1, env.Metadata.TokenRequests);
        Assert.Equal(0, env.Metadata.RequestsWithoutToken);
        Assert.Equal(1, env.Metadata.CredentialRequests);
    }

    [Fact]
    public async Task RamRoleArn_calls_AssumeRole_signed_with_the_callers_key_and_every_setting()
    {
        await using var env = await CredentialsEnvironment.StartAsync();
        await env.StartGatewayAsync(env.Settings("RamRoleArn"));

        var call = Assert.Single(env.Sts.Calls);
        Assert.Equal(("AssumeRole", "POST", HttpStatusCode.OK), (call.Action, call.HttpMethod, call.Status));
        Assert.Equal(CredentialsEnvironment.CallerAccessKeyId, call.CallerAccessKeyId);
        Assert.Equal(CredentialsEnvironment.RoleArn, call.RoleArn);
        Assert.Equal("gateway-test", call.RoleSessionName);
        Assert.Equal(900, call.DurationSeconds);
        Assert.Equal("external-1234", call.ExternalId);
    }

    [Fact]
    public async Task Credentials_are_fetched_far_less_often_than_once_per_request()
    {
        await using var env = await CredentialsEnvironment.StartAsync();
        await env.StartGatewayAsync(env.Settings("OidcRoleArn"));
        await env.PutObjectAsync("a.bin", Content);
        var code = await env.CreateLinkAsync("a.bin");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var i = 0; i < 25; i++)
            {
                using var response = await env.Gateway.Client.GetAsync($"/{code}", Cancel);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }));

        Assert.Single(env.Sts.Calls);
    }

    [Theory]
    [InlineData("EcsRamRole")]
    [InlineData("OidcRoleArn")]
    [InlineData("RamRoleArn")]
    [InlineData("CredentialsUri")]
    public async Task Rotation_and_expiry_are_crossed_with_zero_failed_downloads(string type)
    {
        // Credentials that really expire after 9 s: over 21 s of steady downloads, several generations.
        // A refresh is due two thirds into the lifetime, less up to a tenth of jitter. A fully loaded CI
        // machine (every test class at once on 2 cores) once took more than the 1 s that 3 s credentials
        // left for the fetch, and once more than the 2 s of 6 s credentials; 9 s leave 3 s (real STS
        // credentials live 15 minutes or more, leaving minutes).
        await using var env = await CredentialsEnvironment.StartAsync(issuedLifetime: TimeSpan.FromSeconds(9));
        await env.StartGatewayAsync(env.Settings(type));
        await env.PutObjectAsync("a.bin", Content);
        var code = await env.CreateLinkAsync("a.bin");
        var keyIds = new HashSet<string>();
        var failures = new List<string>();
        var downloads = 0;

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(21))
        {
            using var response = await env.Gateway.Client.GetAsync($"/{code}", Cancel);
            downloads++;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                failures.Add($"{clock.Elapsed}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Cancel)}");
            }

            keyIds.Add(Bucket(env).Credentials.GetCredentials().AccessKeyId);
            await Task.Delay(20, Cancel);
        }

        Assert.Empty(failures);
        Assert.True(keyIds.Count >= 3, $"only {keyIds.Count} generations of credentials in 21 s");
        Assert.True(downloads > 100, $"only {downloads} downloads");
        AssertNoSecretLogged(env);
    }

    [Fact]
    public async Task Credentials_OSS_refuses_are_renewed_and_the_download_is_retried_once()
    {
        await using var env = await CredentialsEnvironment.StartAsync();
        await env.StartGatewayAsync(env.Settings("RamRoleArn"));
        await env.PutObjectAsync("a.bin", Content);
        var code = await env.CreateLinkAsync("a.bin", new { maxDownloads = 5 });
        var before = Bucket(env).Credentials.GetCredentials();

        // Every token issued so far is now refused by LocalOss with InvalidSecurityToken.
        env.Issuer.InvalidateAllIssued();
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using var response = await env.Gateway.Client.GetAsync($"/{code}", Cancel);
            return (response.StatusCode, Body: await response.Content.ReadAsByteArrayAsync(Cancel));
        }));

        Assert.True(responses.All(r => r.StatusCode == HttpStatusCode.OK), string.Join("\n", env.Logs.Entries.Where(e => e.Contains("[2", StringComparison.Ordinal))));
        Assert.All(responses, r => Assert.Equal(Content, r.Body));
        Assert.NotEqual(before.AccessKeyId, Bucket(env).Credentials.GetCredentials().AccessKeyId);
        Assert.Equal(2, env.Sts.Calls.Count);
        Assert.Contains(env.Logs.Entries, e => e.Contains("[2105 ", StringComparison.Ordinal));

        // Metering (asynchronous) counts each download once with its bytes, the refused attempts not at all.
        JsonElement link;
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15);
        do
        {
            await Task.Delay(200, Cancel);
            link = await env.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/links/{code}", Cancel);
        }
        while (link.GetProperty("downloads").GetInt64() < 4 && DateTimeOffset.UtcNow < deadline);

        Assert.Equal(4, link.GetProperty("downloads").GetInt64());
        Assert.Equal(4 * Content.Length, link.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task While_STS_is_down_the_current_credentials_keep_serving_and_the_failures_are_reported()
    {
        await using var env = await CredentialsEnvironment.StartAsync(issuedLifetime: TimeSpan.FromSeconds(6));
        await env.StartGatewayAsync(env.Settings("OidcRoleArn"));
        await env.PutObjectAsync("a.bin", Content);
        var code = await env.CreateLinkAsync("a.bin");
        var first = Bucket(env).Credentials.GetCredentials();
        env.Sts.FailNext(1000, HttpStatusCode.ServiceUnavailable);

        // The refresh is due at 2/3 of 6 s; it fails, and the first credentials serve until they expire.
        while (DateTimeOffset.UtcNow < first.Expiration!.Value - TimeSpan.FromMilliseconds(500))
        {
            using var response = await env.Gateway.Client.GetAsync($"/{code}", Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await Task.Delay(100, Cancel);
        }

        Assert.Contains(env.Logs.Entries, e => e.Contains("[1302 ", StringComparison.Ordinal) && e.Contains("answered 503", StringComparison.Ordinal));
        var scrape = (await env.Gateway.Client.GetStringAsync("/metrics", Cancel)).Split('\n');
        Assert.Contains(scrape, line => line.StartsWith("gateway_credentials_refreshes_total{", StringComparison.Ordinal)
            && line.Contains("gateway_bucket=\"media\"", StringComparison.Ordinal)
            && line.Contains("gateway_credentials_type=\"OidcRoleArn\"", StringComparison.Ordinal)
            && line.Contains("gateway_result=\"failed\"", StringComparison.Ordinal));
        Assert.Contains(scrape, line => line.StartsWith("gateway_credentials_remaining_seconds{", StringComparison.Ordinal) && line.Contains("gateway_bucket=\"media\"", StringComparison.Ordinal));

        // Once they have expired and STS is still down: 503 with Retry-After, and nothing counted.
        await Task.Delay(first.Expiration.Value - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200), Cancel);
        using (var refused = await env.Gateway.Client.GetAsync($"/{code}", Cancel))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        // STS comes back: the loop's next retry restores service without a restart.
        env.Sts.FailNext(0, HttpStatusCode.ServiceUnavailable);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        HttpStatusCode status;
        do
        {
            await Task.Delay(200, Cancel);
            using var response = await env.Gateway.Client.GetAsync($"/{code}", Cancel);
            status = response.StatusCode;
        }
        while (status != HttpStatusCode.OK && DateTimeOffset.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
        AssertNoSecretLogged(env);
    }

    [Fact]
    public async Task Without_any_credentials_yet_downloads_answer_503_and_limited_links_keep_their_count()
    {
        await using var env = await CredentialsEnvironment.StartAsync();
        env.Metadata.FailNext(1000, HttpStatusCode.InternalServerError);
        await env.StartGatewayAsync(env.Settings("EcsRamRole"));
        await env.PutObjectAsync("a.bin", Content);
        var code = await env.CreateLinkAsync("a.bin", new { maxDownloads = 1 });
        var redirectCode = await env.CreateLinkAsync("a.bin", new { mode = "redirect", maxDownloads = 1 });

        foreach (var path in new[] { $"/{code}", $"/{redirectCode}" })
        {
            using var response = await env.Gateway.Client.GetAsync(path, Cancel);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
        }

        using var presign = await env.Admin.PostAsJsonAsync("/api/v1/presign", new { bucket = "media", key = "a.bin" }, Cancel);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, presign.StatusCode);
        Assert.Contains(env.Logs.Entries, e => e.Contains("[1303 ", StringComparison.Ordinal));
        using (var ready = await env.Gateway.Client.GetAsync("/readyz", Cancel))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("no credentials yet for bucket media", await ready.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        }

        env.Metadata.FailNext(0, HttpStatusCode.InternalServerError);
        await WaitForCredentialsAsync(env);
        // Another client (a new download session) gets the one-download link: the 503 did not use it up.
        using var another = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        another.Headers.UserAgent.ParseAdd("another-client/1.0");
        using var served = await env.Gateway.Client.SendAsync(another, Cancel);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        using var readyNow = await env.Gateway.Client.GetAsync("/readyz", Cancel);
        Assert.Equal(HttpStatusCode.OK, readyNow.StatusCode);
    }

    [Fact]
    public async Task Presigned_URLs_carry_the_token_and_never_outlive_the_credentials()
    {
        await using var env = await CredentialsEnvironment.StartAsync(issuedLifetime: TimeSpan.FromSeconds(120));
        await env.StartGatewayAsync(env.Settings("EcsRamRole"));
        await env.PutObjectAsync("a.bin", Content);
        var expiration = Bucket(env).Credentials.GetCredentials().Expiration!.Value;

        using var presign = await env.Admin.PostAsJsonAsync("/api/v1/presign", new { bucket = "media", key = "a.bin", expires = 3600 }, Cancel);
        Assert.Equal(HttpStatusCode.OK, presign.StatusCode);
        var answer = await presign.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        var url = answer.GetProperty("url").GetString()!;
        Assert.Contains("x-oss-security-token=", url, StringComparison.Ordinal);
        Assert.True(answer.GetProperty("expiration").GetDateTimeOffset() <= expiration, "the URL outlives its credentials");

        using var client = new HttpClient();
        Assert.Equal(Content, await client.GetByteArrayAsync(url, Cancel));

        var redirectCode = await env.CreateLinkAsync("a.bin", new { mode = "redirect" });
        using var redirect = await env.Gateway.Client.GetAsync($"/{redirectCode}", Cancel);
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal(Content, await client.GetByteArrayAsync(redirect.Headers.Location, Cancel));
    }

    [Fact]
    public async Task The_presign_command_fetches_credentials_once_and_its_URL_ends_with_them()
    {
        await using var env = await CredentialsEnvironment.StartAsync(issuedLifetime: TimeSpan.FromSeconds(300));
        await env.PutObjectAsync("a.bin", Content);
        var arguments = env.Settings("CredentialsUri")
            .Where(s => s.Key.StartsWith("Gateway:", StringComparison.Ordinal))
            .Select(s => $"--{s.Key}={s.Value}");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await Gateway.Presign.PresignCommand.RunAsync([.. arguments, "--bucket", "media", "--key", "a.bin", "--expires", "3600", "--json"], output, error);

        Assert.True(exitCode == 0, error.ToString());
        var answer = JsonDocument.Parse(output.ToString()).RootElement;
        var url = answer.GetProperty("url").GetString()!;
        Assert.Contains("x-oss-security-token=", url, StringComparison.Ordinal);
        Assert.InRange(answer.GetProperty("expiration").GetDateTimeOffset(), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddSeconds(301));
        Assert.Equal(1, env.Sts.CredentialsUriRequests);
        using var client = new HttpClient();
        Assert.Equal(Content, await client.GetByteArrayAsync(url, Cancel));
    }

    [Fact]
    public async Task The_OIDC_token_file_is_read_again_at_each_refresh()
    {
        await using var env = await CredentialsEnvironment.StartAsync(issuedLifetime: TimeSpan.FromSeconds(3));
        await env.StartGatewayAsync(env.Settings("OidcRoleArn"));
        await env.PutObjectAsync("a.bin", Content);
        var code = await env.CreateLinkAsync("a.bin");

        // The kubelet rotates the projected token; STS accepts only the new one from now on.
        const string rotated = "eyJhbGciOiJSUzI1NiJ9.rotated-projected-token.signature";
        await File.WriteAllTextAsync(env.OidcTokenFile, rotated, Cancel);
        env.Sts.SetAcceptedOidcTokens(rotated);
        var calls = env.Sts.Calls.Count;

        // Past the old credentials' expiry, a download succeeds once a refresh has read the new token. Polled,
        // not timed: a refresh that read the file just before the rotation is refused and backs off first,
        // which on a loaded machine outlasted a fixed 4 s wait.
        await Task.Delay(TimeSpan.FromSeconds(4), Cancel);
        var status = HttpStatusCode.ServiceUnavailable;
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (status != HttpStatusCode.OK && DateTimeOffset.UtcNow < deadline)
        {
            using var response = await env.Gateway.Client.GetAsync($"/{code}", Cancel);
            status = response.StatusCode;
            if (status != HttpStatusCode.OK)
            {
                await Task.Delay(250, Cancel);
            }
        }

        Assert.Equal(HttpStatusCode.OK, status);
        // STS accepts only the rotated token now: an accepted call proves the file was read again.
        Assert.Contains(env.Sts.Calls.Skip(calls), c => c.Status == HttpStatusCode.OK);
        Assert.DoesNotContain(env.Logs.Entries, e => e.Contains(rotated, StringComparison.Ordinal));
    }

    private static OssBucket Bucket(CredentialsEnvironment env)
    {
        Assert.True(env.Gateway.Services.GetRequiredService<BucketRegistry>().TryGet(GatewayTestEnvironment.BucketAlias, out var bucket));
        return bucket;
    }

    private static async Task WaitForCredentialsAsync(CredentialsEnvironment env)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                Bucket(env).Credentials.GetCredentials();
                return;
            }
            catch (OssCredentialsUnavailableException) when (DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(100, Cancel);
            }
        }
    }

    private static void AssertNoSecretLogged(CredentialsEnvironment env)
    {
        var secrets = env.Secrets().ToArray();
        Assert.NotEmpty(env.Logs.Entries);
        foreach (var entry in env.Logs.Entries)
        {
            foreach (var secret in secrets)
            {
                Assert.False(entry.Contains(secret, StringComparison.Ordinal), $"a secret or token was logged: {entry[..Math.Min(entry.Length, 200)]}");
            }
        }
    }
}
