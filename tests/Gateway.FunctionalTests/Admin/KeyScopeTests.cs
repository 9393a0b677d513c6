using System.Net;
using System.Text.Json;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Admin;

/// <summary>API keys restricted to buckets, key prefixes, lifetimes and download limits.</summary>
public sealed class KeyScopeTests : IAsyncLifetime
{
    private const string TeamKey = "gwk_test_team_0123456789";
    private const string ExpiredKey = "gwk_test_expired_0123456789";

    private GatewayTestEnvironment _env = null!;
    private HttpClient _team = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _env = await GatewayTestEnvironment.StartAsync(settings =>
        {
            // A second bucket the team key may not use.
            GatewayTestEnvironment.AddBucket(settings, "archive", "archive-bucket");

            settings["Gateway:Admin:ApiKeys:team:Sha256"] = GatewayTestEnvironment.Sha256Hex(TeamKey);
            settings["Gateway:Admin:ApiKeys:team:Scopes:0"] = "links:read";
            settings["Gateway:Admin:ApiKeys:team:Scopes:1"] = "links:write";
            settings["Gateway:Admin:ApiKeys:team:Scopes:2"] = "presign";
            settings["Gateway:Admin:ApiKeys:team:Buckets:0"] = GatewayTestEnvironment.BucketAlias;
            settings["Gateway:Admin:ApiKeys:team:KeyPrefixes:0"] = "team/";
            settings["Gateway:Admin:ApiKeys:team:KeyPrefixes:1"] = "shared/team-";
            settings["Gateway:Admin:ApiKeys:team:MaxLinkLifetime"] = "1.00:00:00";
            settings["Gateway:Admin:ApiKeys:team:MaxDownloads"] = "10";

            settings["Gateway:Admin:ApiKeys:former:Sha256"] = GatewayTestEnvironment.Sha256Hex(ExpiredKey);
            settings["Gateway:Admin:ApiKeys:former:Scopes:0"] = "links:read";
            settings["Gateway:Admin:ApiKeys:former:ExpiresAt"] = "2020-01-01T00:00:00Z";
        });
        _team = _env.Gateway.CreateClient(TeamKey);
    }

    public async ValueTask DisposeAsync()
    {
        _team.Dispose();
        await _env.DisposeAsync();
    }

    private static object TeamLink(string key, string bucket = GatewayTestEnvironment.BucketAlias) =>
        new { bucket, key, expiresAt = DateTimeOffset.UtcNow.AddHours(12), maxDownloads = 10 };

    [Fact]
    public async Task A_scoped_key_creates_links_within_its_buckets_prefixes_and_limits()
    {
        using var inside = await AdminJson.CreateAsync(_team, TeamLink("team/report.pdf"));
        using var secondPrefix = await AdminJson.CreateAsync(_team, TeamLink("shared/team-notes.txt"));

        Assert.Equal(HttpStatusCode.Created, inside.StatusCode);
        Assert.Equal(HttpStatusCode.Created, secondPrefix.StatusCode);
        Assert.Equal("team", (await AdminJson.ReadAsync(inside)).GetProperty("owner").GetString());
    }

    [Theory]
    [InlineData("archive", "team/report.pdf", 12, 10, "bucket")]
    [InlineData("media", "private/report.pdf", 12, 10, "key")]
    [InlineData("media", "shared/other.txt", 12, 10, "key")]
    [InlineData("media", "team/report.pdf", 48, 10, "expiresAt")]
    [InlineData("media", "team/report.pdf", null, 10, "expiresAt")]
    [InlineData("media", "team/report.pdf", 12, 11, "maxDownloads")]
    [InlineData("media", "team/report.pdf", 12, null, "maxDownloads")]
    public async Task A_scoped_key_gets_403_naming_the_field_beyond_its_limits(string bucket, string key, int? hours, int? maxDownloads, string field)
    {
        var body = new Dictionary<string, object?> { ["bucket"] = bucket, ["key"] = key };
        if (hours is { } h)
        {
            body["expiresAt"] = DateTimeOffset.UtcNow.AddHours(h);
        }

        if (maxDownloads is { } max)
        {
            body["maxDownloads"] = max;
        }

        using var response = await AdminJson.CreateAsync(_team, body);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await AdminJson.ReadAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {problem}");
        Assert.Empty(await AdminJson.ReadAllPagesAsync(_env.Admin, "/api/v1/links", 50));
    }

    [Fact]
    public async Task Links_outside_the_scope_look_like_links_that_do_not_exist()
    {
        var otherBucket = await _env.CreateLinkAsync("team/report.pdf", new { bucket = "archive" });
        var otherPrefix = await _env.CreateLinkAsync("private/plan.pdf");

        foreach (var code in new[] { otherBucket, otherPrefix })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await _team.GetAsync($"/api/v1/links/{code}", Cancel)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await AdminJson.PatchAsync(_team, code, """{"note":"mine now"}""")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await _team.PostAsync($"/api/v1/links/{code}/revoke", null, Cancel)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await _team.PostAsync($"/api/v1/links/{code}/restore", null, Cancel)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await _team.DeleteAsync($"/api/v1/links/{code}", Cancel)).StatusCode);

            var link = await _env.GetLinkAsync(code);
            Assert.Equal("active", link.GetProperty("state").GetString());
            Assert.Equal(JsonValueKind.Null, link.GetProperty("note").ValueKind);
        }
    }

    [Fact]
    public async Task A_scoped_key_manages_its_own_links_and_patches_stay_within_its_limits()
    {
        using var created = await AdminJson.CreateAsync(_team, TeamLink("team/manage.txt"));
        var code = (await AdminJson.ReadAsync(created)).GetProperty("code").GetString()!;

        using var note = await AdminJson.PatchAsync(_team, code, """{"note":"ours"}""");
        using var forever = await AdminJson.PatchAsync(_team, code, """{"expiresAt":null}""");
        using var tooLong = await AdminJson.PatchAsync(_team, code, $$"""{"expiresAt":"{{DateTimeOffset.UtcNow.AddDays(3):O}}"}""");
        using var unlimited = await AdminJson.PatchAsync(_team, code, """{"maxDownloads":null}""");
        using var fewer = await AdminJson.PatchAsync(_team, code, """{"maxDownloads":3}""");
        using var revoke = await _team.PostAsync($"/api/v1/links/{code}/revoke", null, Cancel);
        using var delete = await _team.DeleteAsync($"/api/v1/links/{code}", Cancel);

        Assert.Equal(HttpStatusCode.OK, note.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forever.StatusCode);
        Assert.True((await AdminJson.ReadAsync(forever)).GetProperty("errors").TryGetProperty("expiresAt", out _));
        Assert.Equal(HttpStatusCode.Forbidden, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, unlimited.StatusCode);
        Assert.True((await AdminJson.ReadAsync(unlimited)).GetProperty("errors").TryGetProperty("maxDownloads", out _));
        Assert.Equal(HttpStatusCode.OK, fewer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
    }

    [Fact]
    public async Task The_list_and_the_audit_log_show_a_scoped_key_only_its_data()
    {
        using var teamCreated = await AdminJson.CreateAsync(_team, TeamLink("team/listed.txt"));
        var teamCode = (await AdminJson.ReadAsync(teamCreated)).GetProperty("code").GetString()!;
        var adminInScope = await _env.CreateLinkAsync("team/by-admin.txt");
        await _env.CreateLinkAsync("private/hidden.txt");
        await _env.CreateLinkAsync("team/archived.txt", new { bucket = "archive" });
        (await AdminJson.PostJsonAsync(_env.Admin, "/api/v1/presign", """{"bucket":"archive","key":"team/raw.bin"}""")).EnsureSuccessStatusCode();

        var links = await AdminJson.ReadAllPagesAsync(_team, "/api/v1/links", 1);
        var audit = await AdminJson.ReadAllPagesAsync(_team, "/api/v1/audit", 1);

        Assert.Equal(
            new[] { teamCode, adminInScope }.Order(StringComparer.Ordinal),
            links.Select(l => l.GetProperty("code").GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(2, audit.Count);
        Assert.All(audit, e => Assert.StartsWith("team/", e.GetProperty("key").GetString(), StringComparison.Ordinal));
        Assert.All(audit, e => Assert.Equal("media", e.GetProperty("bucket").GetString()));
        Assert.Equal(5, (await AdminJson.ReadAllPagesAsync(_env.Admin, "/api/v1/audit", 50)).Count);
    }

    [Theory]
    [InlineData("""{"bucket":"archive","key":"team/a.bin","expires":60}""", "bucket")]
    [InlineData("""{"bucket":"media","key":"private/a.bin","expires":60}""", "key")]
    [InlineData("""{"bucket":"media","key":"team/a.bin","expires":90000}""", "expires")]
    public async Task Presigning_is_held_to_the_key_scope_and_its_lifetime(string json, string field)
    {
        using var refused = await AdminJson.PostJsonAsync(_team, "/api/v1/presign", json);
        using var allowed = await AdminJson.PostJsonAsync(_team, "/api/v1/presign", """{"bucket":"media","key":"team/a.bin","expires":86400}""");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.True((await AdminJson.ReadAsync(refused)).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task An_expired_key_gets_401_saying_so()
    {
        using var former = _env.Gateway.CreateClient(ExpiredKey);

        using var response = await former.GetAsync("/api/v1/links", Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", (await AdminJson.ReadAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
