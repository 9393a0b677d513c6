using System.Net;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Admin;

/// <summary><c>GET /api/v1/me</c>: a key learns its own scopes, buckets and limits, and nothing about others.</summary>
public sealed class KeyInfoTests : IAsyncLifetime
{
    private const string TeamKey = "gwk_test_team_me_0123456789";
    private const string StatsKey = "gwk_test_stats_me_0123456789";

    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _env = await GatewayTestEnvironment.StartAsync(settings =>
    {
        GatewayTestEnvironment.AddBucket(settings, "archive", "archive-bucket");
        GatewayTestEnvironment.AddBucket(settings, "backups", "backups-bucket");

        settings["Gateway:Admin:ApiKeys:team:Sha256"] = GatewayTestEnvironment.Sha256Hex(TeamKey);
        settings["Gateway:Admin:ApiKeys:team:Scopes:0"] = "links:write";
        settings["Gateway:Admin:ApiKeys:team:Scopes:1"] = "links:read";
        settings["Gateway:Admin:ApiKeys:team:Buckets:0"] = "media";
        settings["Gateway:Admin:ApiKeys:team:Buckets:1"] = "backups";
        settings["Gateway:Admin:ApiKeys:team:KeyPrefixes:0"] = "team/";
        settings["Gateway:Admin:ApiKeys:team:MaxLinkLifetime"] = "2.00:00:00";
        settings["Gateway:Admin:ApiKeys:team:MaxDownloads"] = "25";
        settings["Gateway:Admin:ApiKeys:team:ExpiresAt"] = "2099-01-01T00:00:00Z";
        settings["Gateway:Admin:ApiKeys:stats:Sha256"] = GatewayTestEnvironment.Sha256Hex(StatsKey);
        settings["Gateway:Admin:ApiKeys:stats:Scopes:0"] = "stats:read";
    });

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task An_unrestricted_key_sees_its_scopes_and_every_bucket()
    {
        var me = await AdminJson.GetOkAsync(_env.Admin, "/api/v1/me");

        Assert.Equal("admin", me.GetProperty("name").GetString());
        Assert.Equal(["links:read", "links:write", "presign", "stats:read"], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!));
        Assert.Equal(["archive", "backups", "media"], me.GetProperty("buckets").EnumerateArray().Select(s => s.GetString()!));
        Assert.True(me.GetProperty("allBuckets").GetBoolean());
        Assert.Empty(me.GetProperty("keyPrefixes").EnumerateArray());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, me.GetProperty("maxLinkLifetimeSeconds").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, me.GetProperty("maxDownloads").ValueKind);
    }

    [Fact]
    public async Task A_restricted_key_sees_only_its_configured_buckets_and_its_limits()
    {
        using var team = _env.Gateway.CreateClient(TeamKey);

        var me = await AdminJson.GetOkAsync(team, "/api/v1/me");

        Assert.Equal("team", me.GetProperty("name").GetString());
        Assert.Equal(["links:read", "links:write"], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!));
        Assert.Equal(["backups", "media"], me.GetProperty("buckets").EnumerateArray().Select(s => s.GetString()!));
        Assert.False(me.GetProperty("allBuckets").GetBoolean());
        Assert.Equal(["team/"], me.GetProperty("keyPrefixes").EnumerateArray().Select(s => s.GetString()!));
        Assert.Equal(172800, me.GetProperty("maxLinkLifetimeSeconds").GetInt64());
        Assert.Equal(25, me.GetProperty("maxDownloads").GetInt64());
        Assert.Equal(new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero), me.GetProperty("expiresAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Any_valid_key_may_ask_without_a_links_scope()
    {
        using var stats = _env.Gateway.CreateClient(StatsKey);

        var me = await AdminJson.GetOkAsync(stats, "/api/v1/me");

        Assert.Equal(["stats:read"], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!));
    }

    [Fact]
    public async Task Without_a_valid_key_it_answers_401()
    {
        using var anonymous = _env.Gateway.CreateClient();
        using var wrong = _env.Gateway.CreateClient("gwk_not_a_key");

        using var none = await anonymous.GetAsync("/api/v1/me", Cancel);
        using var unknown = await wrong.GetAsync("/api/v1/me", Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal("no-store", none.Headers.CacheControl?.ToString());
    }
}
