using System.Net;
using System.Text;
using Gateway.FunctionalTests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.FunctionalTests.Admin;

public sealed class LinkUpdateTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _env = await GatewayTestEnvironment.StartAsync();
        await _env.PutObjectAsync("patch.txt", "patched content"u8.ToArray());
    }

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task Patch_changes_only_the_members_it_carries()
    {
        var code = await _env.CreateLinkAsync("patch.txt", new { note = "old", tags = new[] { "a", "b" }, maxDownloads = 5, filename = "first.txt" });

        using var response = await AdminJson.PatchAsync(_env.Admin, code, """{"note":"new","filename":"second.txt"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var link = await AdminJson.ReadAsync(response);
        Assert.Equal("new", link.GetProperty("note").GetString());
        Assert.Equal("second.txt", link.GetProperty("filename").GetString());
        Assert.Equal(["a", "b"], link.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!));
        Assert.Equal(5, link.GetProperty("maxDownloads").GetInt64());
        using var download = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);
        Assert.Contains("second.txt", download.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Null_removes_optional_values_and_resets_defaults()
    {
        var code = await _env.CreateLinkAsync("patch.txt", new
        {
            note = "n",
            tags = new[] { "t" },
            maxDownloads = 5,
            trafficLimit = 819200,
            allowedCidrs = new[] { "10.0.0.0/8" },
            disposition = "inline",
            contentType = "text/plain",
            mode = "redirect",
            bindClientIp = true,
        });

        using var response = await AdminJson.PatchAsync(
            _env.Admin,
            code,
            """{"note":null,"tags":null,"maxDownloads":null,"trafficLimit":null,"allowedCidrs":null,"disposition":null,"contentType":null,"mode":null,"bindClientIp":null}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var link = await AdminJson.ReadAsync(response);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, link.GetProperty("note").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, link.GetProperty("maxDownloads").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, link.GetProperty("trafficLimit").ValueKind);
        Assert.Empty(link.GetProperty("tags").EnumerateArray());
        Assert.Empty(link.GetProperty("allowedCidrs").EnumerateArray());
        Assert.Equal("attachment", link.GetProperty("disposition").GetString());
        Assert.Equal("proxy", link.GetProperty("mode").GetString());
        Assert.False(link.GetProperty("bindClientIp").GetBoolean());

        await using var redis = await ConnectionMultiplexer.ConnectAsync(_env.Store.ConnectionString);
        var fields = (await redis.GetDatabase().HashKeysAsync($"gw:{{{code}}}:link")).Select(f => (string)f!).ToHashSet();
        Assert.DoesNotContain("note", fields);
        Assert.DoesNotContain("tags", fields);
        Assert.DoesNotContain("maxDownloads", fields);
        Assert.DoesNotContain("allowedCidrs", fields);
        Assert.DoesNotContain("bindClientIp", fields);

        // The link is now a plain proxy link: served, not redirected.
        Assert.Equal("patched content", await _env.Gateway.Client.GetStringAsync($"/{code}", Cancel));
    }

    [Fact]
    public async Task Patching_the_expiry_moves_the_store_mirror_and_removing_it_clears_it()
    {
        var code = await _env.CreateLinkAsync("patch.txt", new { expiresAt = DateTimeOffset.UtcNow.AddDays(1) });
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_env.Store.ConnectionString);
        var db = redis.GetDatabase();

        using (var later = await AdminJson.PatchAsync(_env.Admin, code, $$"""{"expiresAt":"{{DateTimeOffset.UtcNow.AddDays(5):O}}"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        }

        var ttl = await db.KeyTimeToLiveAsync($"gw:{{{code}}}:link");
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromDays(34.9), TimeSpan.FromDays(35.1));

        using (var never = await AdminJson.PatchAsync(_env.Admin, code, """{"expiresAt":null}"""))
        {
            Assert.Equal(HttpStatusCode.OK, never.StatusCode);
            Assert.Equal(System.Text.Json.JsonValueKind.Null, (await AdminJson.ReadAsync(never)).GetProperty("expiresAt").ValueKind);
        }

        Assert.Null(await db.KeyTimeToLiveAsync($"gw:{{{code}}}:link"));
    }

    [Fact]
    public async Task Raising_the_limit_of_an_exhausted_link_serves_it_again_and_keeps_the_count()
    {
        var code = await _env.CreateLinkAsync("patch.txt", new { maxDownloads = 1 });
        Assert.Equal("patched content", await _env.Gateway.Client.GetStringAsync($"/{code}", Cancel));
        using var other = _env.Gateway.CreateClient();
        other.DefaultRequestHeaders.UserAgent.ParseAdd("second-person/1.0");
        Assert.Equal(HttpStatusCode.Gone, (await other.GetAsync($"/{code}", Cancel)).StatusCode);
        Assert.Equal("exhausted", (await _env.GetLinkAsync(code)).GetProperty("state").GetString());

        using var response = await AdminJson.PatchAsync(_env.Admin, code, """{"maxDownloads":2}""");

        var link = await AdminJson.ReadAsync(response);
        Assert.Equal("active", link.GetProperty("state").GetString());
        Assert.Equal(1, link.GetProperty("usedDownloads").GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync($"/{code}", Cancel)).StatusCode);
        Assert.Equal(2, (await _env.GetLinkAsync(code)).GetProperty("usedDownloads").GetInt64());
    }

    [Fact]
    public async Task Patches_running_alongside_downloads_never_lose_a_counted_download()
    {
        var code = await _env.CreateLinkAsync("patch.txt", new { maxDownloads = 1000 });

        var downloads = Enumerable.Range(0, 40).Select(async i =>
        {
            using var client = _env.Gateway.CreateClient();
            client.DefaultRequestHeaders.UserAgent.ParseAdd($"downloader-{i}/1.0");
            using var response = await client.GetAsync($"/{code}", Cancel);
            return response.StatusCode;
        });
        var patches = Enumerable.Range(0, 20).Select(async i =>
        {
            using var response = await AdminJson.PatchAsync(_env.Admin, code, $$"""{"note":"edit {{i}}","maxDownloads":{{1000 + i}}}""");
            return response.StatusCode;
        });
        var results = await Task.WhenAll(Task.WhenAll(downloads), Task.WhenAll(patches));

        Assert.All(results[0], status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.All(results[1], status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(40, (await _env.GetLinkAsync(code)).GetProperty("usedDownloads").GetInt64());
    }

    [Fact]
    public async Task A_note_can_change_on_a_link_whose_expiry_has_passed()
    {
        var code = await _env.CreateLinkAsync("patch.txt", new { expiresAt = DateTimeOffset.UtcNow.AddSeconds(1) });
        await Task.Delay(TimeSpan.FromSeconds(1.3), Cancel);

        using var note = await AdminJson.PatchAsync(_env.Admin, code, """{"note":"kept for the record"}""");
        using var reopen = await AdminJson.PatchAsync(_env.Admin, code, """{"expiresAt":"2020-01-01T00:00:00Z"}""");

        Assert.Equal(HttpStatusCode.OK, note.StatusCode);
        Assert.Equal("expired", (await AdminJson.ReadAsync(note)).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, reopen.StatusCode);
    }

    [Fact]
    public async Task Switching_to_redirect_mode_with_a_client_binding_takes_effect_at_the_next_click()
    {
        var code = await _env.CreateLinkAsync("patch.txt");

        using var response = await AdminJson.PatchAsync(_env.Admin, code, """{"mode":"redirect","bindClientIp":true}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var click = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);
        Assert.Equal(HttpStatusCode.Found, click.StatusCode);
        Assert.Contains("x-oss-ac-source-ip=127.0.0.1", click.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"expiresAt":"2020-01-01T00:00:00Z"}""", "expiresAt")]
    [InlineData("""{"notBefore":"2999-01-01T00:00:00Z","expiresAt":"2998-01-01T00:00:00Z"}""", "notBefore")]
    [InlineData("""{"maxDownloads":0}""", "maxDownloads")]
    [InlineData("""{"trafficLimit":5}""", "trafficLimit")]
    [InlineData("""{"allowedCidrs":["10.0.0.0/8","not-a-network"]}""", "allowedCidrs[1]")]
    [InlineData("""{"tags":["fine","not fine"]}""", "tags[1]")]
    [InlineData("""{"filename":"a/b.txt"}""", "filename")]
    [InlineData("""{"contentType":"nonsense"}""", "contentType")]
    [InlineData("""{"disposition":"download"}""", "disposition")]
    [InlineData("""{"mode":"teleport"}""", "mode")]
    [InlineData("""{"bindClientIp":true}""", "bindClientIp")]
    [InlineData("""{"bucket":"media"}""", "bucket")]
    [InlineData("""{"key":"other.txt"}""", "key")]
    [InlineData("""{"code":"newcode"}""", "code")]
    [InlineData("""{"state":"revoked"}""", "state")]
    [InlineData("""{"noet":"typo"}""", "noet")]
    [InlineData("""{"maxDownloads":"five"}""", "maxDownloads")]
    [InlineData("""[1,2]""", "body")]
    [InlineData("""not json""", "body")]
    public async Task Invalid_patch_gets_400_problem_naming_the_field(string json, string field)
    {
        var code = await _env.CreateLinkAsync("patch.txt", new { note = "unchanged" });

        using var response = await AdminJson.PatchAsync(_env.Admin, code, json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await AdminJson.ReadAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {problem}");
        Assert.Equal("unchanged", (await _env.GetLinkAsync(code)).GetProperty("note").GetString());
    }

    [Fact]
    public async Task Patch_needs_json_and_the_write_scope_and_an_existing_link()
    {
        var code = await _env.CreateLinkAsync("patch.txt");
        using var reader = _env.Gateway.CreateClient(GatewayTestEnvironment.ReaderKey);

        using var text = await _env.Admin.PatchAsync($"/api/v1/links/{code}", new StringContent("""{"note":"x"}""", Encoding.UTF8, "text/plain"), Cancel);
        using var forbidden = await AdminJson.PatchAsync(reader, code, """{"note":"x"}""");
        using var missing = await AdminJson.PatchAsync(_env.Admin, "nosuchcode", """{"note":"x"}""");
        using var plainJson = await _env.Admin.PatchAsync($"/api/v1/links/{code}", new StringContent("""{"note":"x"}""", Encoding.UTF8, "application/json"), Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, text.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, plainJson.StatusCode);
    }

    [Fact]
    public async Task An_update_is_audited_with_the_fields_it_changed()
    {
        var code = await _env.CreateLinkAsync("patch.txt", new { note = "same", maxDownloads = 3 });

        using var response = await AdminJson.PatchAsync(_env.Admin, code, """{"note":"same","maxDownloads":4,"tags":["x"],"contentType":null}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var audit = await AdminJson.GetOkAsync(_env.Admin, $"/api/v1/audit?code={code}");
        var update = Assert.Single(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "update");
        var changes = update.GetProperty("details");
        Assert.Equal(4, changes.GetProperty("maxDownloads").GetInt64());
        Assert.Equal("x", changes.GetProperty("tags")[0].GetString());
        Assert.False(changes.TryGetProperty("note", out _), "an unchanged value is not a change");
        Assert.False(changes.TryGetProperty("contentType", out _), "removing an absent value is not a change");
        Assert.Equal("admin", update.GetProperty("actor").GetString());
    }
}
