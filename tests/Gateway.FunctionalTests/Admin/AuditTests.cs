using System.Net;
using System.Text.Json;
using Gateway.FunctionalTests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.FunctionalTests.Admin;

public sealed class AuditTests
{
    private const string WriterKey = "gwk_test_writer_0123456789";
    private const string PresignOnlyKey = "gwk_test_presigner_0123456789";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static Task<GatewayTestEnvironment> StartAsync(Action<Dictionary<string, string?>>? configure = null) =>
        GatewayTestEnvironment.StartAsync(settings =>
        {
            settings["Gateway:Admin:ApiKeys:writer:Sha256"] = GatewayTestEnvironment.Sha256Hex(WriterKey);
            settings["Gateway:Admin:ApiKeys:writer:Scopes:0"] = "links:write";
            settings["Gateway:Admin:ApiKeys:presigner:Sha256"] = GatewayTestEnvironment.Sha256Hex(PresignOnlyKey);
            settings["Gateway:Admin:ApiKeys:presigner:Scopes:0"] = "presign";
            configure?.Invoke(settings);
        });

    [Fact]
    public async Task Every_admin_action_is_recorded_with_actor_target_and_time()
    {
        await using var env = await StartAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var code = await env.CreateLinkAsync("audit/a.txt");
        (await AdminJson.PatchAsync(env.Admin, code, """{"note":"changed"}""")).EnsureSuccessStatusCode();
        (await env.Admin.PostAsync($"/api/v1/links/{code}/revoke", null, Cancel)).EnsureSuccessStatusCode();
        (await env.Admin.PostAsync($"/api/v1/links/{code}/restore", null, Cancel)).EnsureSuccessStatusCode();
        (await env.Admin.DeleteAsync($"/api/v1/links/{code}", Cancel)).EnsureSuccessStatusCode();
        (await AdminJson.PostJsonAsync(env.Admin, "/api/v1/presign", """{"bucket":"media","key":"audit/raw.bin","method":"PUT","expires":60}""")).EnsureSuccessStatusCode();

        var entries = (await AdminJson.GetOkAsync(env.Admin, "/api/v1/audit")).GetProperty("items").EnumerateArray().ToList();

        Assert.Equal(["presign", "delete", "restore", "revoke", "update", "create"], entries.Select(e => e.GetProperty("action").GetString()));
        Assert.All(entries, e => Assert.Equal("admin", e.GetProperty("actor").GetString()));
        Assert.All(entries, e => Assert.InRange(e.GetProperty("at").GetDateTimeOffset(), before, DateTimeOffset.UtcNow.AddSeconds(1)));
        Assert.All(entries[1..], e => Assert.Equal(code, e.GetProperty("code").GetString()));
        Assert.All(entries[1..], e => Assert.Equal("audit/a.txt", e.GetProperty("key").GetString()));
        Assert.Equal("media", entries[0].GetProperty("bucket").GetString());
        Assert.Equal("audit/raw.bin", entries[0].GetProperty("key").GetString());
        var ids = entries.Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(ids.OrderDescending(), ids);
    }

    [Fact]
    public async Task A_presign_entry_keeps_its_parameters_but_never_the_url_or_signature()
    {
        await using var env = await StartAsync();
        using var presign = await AdminJson.PostJsonAsync(
            env.Admin,
            "/api/v1/presign",
            """{"bucket":"media","key":"audit/secret.bin","expires":120,"trafficLimit":819200,"headers":{"x-oss-meta-owner":"someone"}}""");
        var url = (await AdminJson.ReadAsync(presign)).GetProperty("url").GetString()!;
        var signature = url[(url.IndexOf("x-oss-signature=", StringComparison.Ordinal) + "x-oss-signature=".Length)..];

        using var response = await env.Admin.GetAsync("/api/v1/audit?limit=1", Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);

        var entry = JsonDocument.Parse(text).RootElement.GetProperty("items")[0];
        var details = entry.GetProperty("details");
        Assert.Equal("GET", details.GetProperty("method").GetString());
        Assert.Equal(120, details.GetProperty("expires").GetInt64());
        Assert.Equal("819200", details.GetProperty("query").GetProperty("x-oss-traffic-limit").GetString());
        Assert.Equal("x-oss-meta-owner", details.GetProperty("signedHeaders")[0].GetString());
        Assert.DoesNotContain(signature, text, StringComparison.Ordinal);
        Assert.DoesNotContain("x-oss-signature", text, StringComparison.Ordinal);
        Assert.DoesNotContain("x-oss-credential", text, StringComparison.Ordinal);
        Assert.DoesNotContain("someone", text, StringComparison.Ordinal);

        // Nor does the store hold it anywhere.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(env.Store.ConnectionString);
        foreach (var member in await redis.GetDatabase().SortedSetRangeByRankAsync("gw:{audit}:entries"))
        {
            Assert.DoesNotContain(signature, (string)member!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Audit_filters_by_code_and_actor_and_pages_with_a_cursor()
    {
        await using var env = await StartAsync();
        using var writer = env.Gateway.CreateClient(WriterKey);
        var mine = await env.CreateLinkAsync("audit/mine.txt");
        using var created = await AdminJson.CreateAsync(writer, new { bucket = "media", key = "audit/theirs.txt" });
        var theirs = (await AdminJson.ReadAsync(created)).GetProperty("code").GetString()!;
        for (var i = 0; i < 5; i++)
        {
            (await AdminJson.PatchAsync(writer, theirs, $$"""{"note":"v{{i}}"}""")).EnsureSuccessStatusCode();
        }

        var byWriter = await AdminJson.ReadAllPagesAsync(env.Admin, "/api/v1/audit?actor=writer", limit: 2);
        var byCode = await AdminJson.ReadAllPagesAsync(env.Admin, $"/api/v1/audit?code={mine}", limit: 2);
        var all = await AdminJson.ReadAllPagesAsync(env.Admin, "/api/v1/audit", limit: 3);

        Assert.Equal(6, byWriter.Count);
        Assert.All(byWriter, e => Assert.Equal(theirs, e.GetProperty("code").GetString()));
        Assert.Equal("create", byWriter[^1].GetProperty("action").GetString());
        Assert.Equal(mine, Assert.Single(byCode).GetProperty("code").GetString());
        Assert.Equal(7, all.Count);
        Assert.Equal(7, all.Select(e => e.GetProperty("id").GetInt64()).Distinct().Count());
    }

    [Fact]
    public async Task Reading_the_audit_log_needs_the_links_read_scope()
    {
        await using var env = await StartAsync();
        using var presigner = env.Gateway.CreateClient(PresignOnlyKey);
        using var reader = env.Gateway.CreateClient(GatewayTestEnvironment.ReaderKey);

        Assert.Equal(HttpStatusCode.Forbidden, (await presigner.GetAsync("/api/v1/audit", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/v1/audit", Cancel)).StatusCode);
        using var badCursor = await reader.GetAsync("/api/v1/audit?cursor=bogus", Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
        Assert.True((await AdminJson.ReadAsync(badCursor)).GetProperty("errors").TryGetProperty("cursor", out _));
    }

    [Fact]
    public async Task The_log_is_trimmed_to_about_its_configured_length()
    {
        await using var env = await StartAsync(settings => settings["Gateway:Admin:AuditMaxLength"] = "100");
        for (var i = 0; i < 200; i++)
        {
            await env.CreateLinkAsync($"audit/many-{i}.txt");
        }

        var entries = await AdminJson.ReadAllPagesAsync(env.Admin, "/api/v1/audit", limit: 500);

        // Trimming is approximate, like XADD MAXLEN ~: every 64th append trims back to 100.
        Assert.InRange(entries.Count, 100, 163);
        Assert.Equal("audit/many-199.txt", entries[0].GetProperty("key").GetString());
    }

    [Fact]
    public async Task The_audit_log_works_on_the_embedded_store_too()
    {
        await using var env = await StartAsync(settings => settings["ConnectionStrings:Redis"] = "");
        var code = await env.CreateLinkAsync("audit/embedded.txt");
        (await env.Admin.PostAsync($"/api/v1/links/{code}/revoke", null, Cancel)).EnsureSuccessStatusCode();

        var entries = await AdminJson.ReadAllPagesAsync(env.Admin, "/api/v1/audit", limit: 1);
        var links = await AdminJson.ReadAllPagesAsync(env.Admin, "/api/v1/links?state=revoked", limit: 1);

        Assert.Equal(["revoke", "create"], entries.Select(e => e.GetProperty("action").GetString()));
        Assert.Equal(code, Assert.Single(links).GetProperty("code").GetString());
    }
}
