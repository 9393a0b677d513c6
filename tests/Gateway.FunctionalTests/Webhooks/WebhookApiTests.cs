using System.Net;
using System.Text.Json;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Webhooks;

public sealed class WebhookApiTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_list_get_patch_and_delete_an_endpoint_show_the_secret_only_on_create()
    {
        await using var env = await WebhookSettings.StartAsync();
        var created = await WebhookApiClient.CreateAsync(env.Admin, new Uri("http://127.0.0.1:9/hook"), ["link.created", "download.completed"]);
        var id = created.GetProperty("id").GetString()!;
        Assert.StartsWith("wh_", id, StringComparison.Ordinal);
        Assert.StartsWith("whsec_", created.GetProperty("secret").GetString(), StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(created.GetProperty("secret").GetString()!["whsec_".Length..]).Length);
        Assert.True(created.GetProperty("enabled").GetBoolean());
        Assert.Equal(["link.created", "download.completed"], created.GetProperty("events").EnumerateArray().Select(e => e.GetString()));

        var listed = await WebhookApiClient.GetAsync(env.Admin, "/api/v1/webhooks");
        var item = Assert.Single(listed.GetProperty("items").EnumerateArray());
        Assert.Equal(id, item.GetProperty("id").GetString());
        Assert.False(item.TryGetProperty("secret", out _));
        var fetched = await WebhookApiClient.GetAsync(env.Admin, $"/api/v1/webhooks/{id}");
        Assert.False(fetched.TryGetProperty("secret", out _));
        Assert.Equal("http://127.0.0.1:9/hook", fetched.GetProperty("url").GetString());

        using (var patched = await WebhookApiClient.SendJsonAsync(env.Admin, HttpMethod.Patch, $"/api/v1/webhooks/{id}", """{"events":["*"],"description":"ops","enabled":false}"""))
        {
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
            var body = JsonDocument.Parse(await patched.Content.ReadAsStringAsync(Cancel)).RootElement;
            Assert.Equal(["*"], body.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal("ops", body.GetProperty("description").GetString());
            Assert.False(body.GetProperty("enabled").GetBoolean());
            Assert.False(body.TryGetProperty("secret", out _));
        }

        using (var deleted = await env.Admin.DeleteAsync($"/api/v1/webhooks/{id}", Cancel))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var gone = await env.Admin.GetAsync($"/api/v1/webhooks/{id}", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Empty((await WebhookApiClient.GetAsync(env.Admin, "/api/v1/webhooks")).GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("""{"url":"https://example.com/hook","events":["link.nope"]}""", "events")]
    [InlineData("""{"url":"https://example.com/hook","events":[]}""", "events")]
    [InlineData("""{"url":"https://example.com/hook"}""", "events")]
    [InlineData("""{"events":["*"]}""", "url")]
    [InlineData("""{"url":"not a url","events":["*"]}""", "url")]
    [InlineData("""{"url":"ftp://example.com/hook","events":["*"]}""", "url")]
    [InlineData("""{"url":"https://example.com/hook","events":["ping"]}""", "events")]
    [InlineData("""{"url":"https://example.com/hook","events":"*"}""", "events")]
    [InlineData("""{"url":"https://example.com/hook","events":["*"],"enabled":"yes"}""", "enabled")]
    public async Task An_invalid_endpoint_is_refused_naming_the_field(string json, string field)
    {
        await using var env = await WebhookSettings.StartAsync();
        using var response = await WebhookApiClient.SendJsonAsync(env.Admin, HttpMethod.Post, "/api/v1/webhooks", json);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
    }

    [Theory]
    [InlineData("http://example.com/hook")]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://localhost/hook")]
    [InlineData("https://10.1.2.3/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://100.100.100.200/")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://[::ffff:192.168.1.1]/hook")]
    [InlineData("https://[fd00::1]/hook")]
    public async Task Without_private_networks_only_public_https_targets_are_accepted(string url)
    {
        await using var env = await WebhookSettings.StartAsync(settings => settings["Gateway:Webhooks:AllowPrivateNetworks"] = "false");
        using var response = await WebhookApiClient.SendJsonAsync(env.Admin, HttpMethod.Post, "/api/v1/webhooks", JsonSerializer.Serialize(new { url, events = new[] { "*" } }));
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty("url", out _), text);

        using var allowed = await WebhookApiClient.SendJsonAsync(env.Admin, HttpMethod.Post, "/api/v1/webhooks", """{"url":"https://93.184.215.14/hook","events":["*"]}""");
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
    }

    [Fact]
    public async Task A_patch_to_a_private_url_or_an_unknown_member_is_refused_naming_the_field()
    {
        await using var env = await WebhookSettings.StartAsync(settings => settings["Gateway:Webhooks:AllowPrivateNetworks"] = "false");
        var id = (await WebhookApiClient.CreateAsync(env.Admin, new Uri("https://93.184.215.14/hook"))).GetProperty("id").GetString();
        foreach (var (json, field) in new[] { ("""{"url":"https://192.168.0.10/"}""", "url"), ("""{"secret":"whsec_AAAA"}""", "secret"), ("""{"events":null}""", "events") })
        {
            using var response = await WebhookApiClient.SendJsonAsync(env.Admin, HttpMethod.Patch, $"/api/v1/webhooks/{id}", json);
            var text = await response.Content.ReadAsStringAsync(Cancel);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
            Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
        }
    }

    [Fact]
    public async Task The_webhooks_scope_is_required()
    {
        await using var env = await WebhookSettings.StartAsync();
        using var reader = env.Gateway.CreateClient(GatewayTestEnvironment.ReaderKey);
        using var anonymous = env.Gateway.CreateClient();
        using (var list = await reader.GetAsync("/api/v1/webhooks", Cancel))
        {
            Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        }

        using (var create = await WebhookApiClient.SendJsonAsync(reader, HttpMethod.Post, "/api/v1/webhooks", """{"url":"http://127.0.0.1:9/","events":["*"]}"""))
        {
            Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        }

        using var unauthenticated = await anonymous.GetAsync("/api/v1/webhooks", Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
    }

    [Fact]
    public async Task Every_change_is_audited_without_the_secret()
    {
        await using var env = await WebhookSettings.StartAsync();
        var created = await WebhookApiClient.CreateAsync(env.Admin, new Uri("http://127.0.0.1:9/hook"));
        var id = created.GetProperty("id").GetString()!;
        using (var patched = await WebhookApiClient.SendJsonAsync(env.Admin, HttpMethod.Patch, $"/api/v1/webhooks/{id}", """{"description":"x"}"""))
        {
            patched.EnsureSuccessStatusCode();
        }

        using (var rotated = await env.Admin.PostAsync($"/api/v1/webhooks/{id}/rotate-secret", null, Cancel))
        {
            rotated.EnsureSuccessStatusCode();
        }

        await WebhookApiClient.PingAsync(env.Admin, id);
        using (var deleted = await env.Admin.DeleteAsync($"/api/v1/webhooks/{id}", Cancel))
        {
            deleted.EnsureSuccessStatusCode();
        }

        using var auditResponse = await env.Admin.GetAsync("/api/v1/audit", Cancel);
        var auditText = await auditResponse.Content.ReadAsStringAsync(Cancel);
        var entries = JsonDocument.Parse(auditText).RootElement.GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("details").TryGetProperty("webhook", out var webhook) && webhook.GetString() == id)
            .ToList();
        Assert.Equal(
            ["webhook.delete", "webhook.ping", "webhook.rotate-secret", "webhook.update", "webhook.create"],
            entries.Select(e => e.GetProperty("action").GetString()));
        Assert.All(entries, e => Assert.Equal("admin", e.GetProperty("actor").GetString()));
        Assert.DoesNotContain("whsec_", auditText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_webhook_operations()
    {
        await using var env = await WebhookSettings.StartAsync();
        var document = JsonDocument.Parse(await env.Gateway.Client.GetStringAsync("/openapi/v1.json", Cancel)).RootElement;
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/webhooks", "/api/v1/webhooks/{id}", "/api/v1/webhooks/{id}/rotate-secret", "/api/v1/webhooks/{id}/deliveries", "/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver", "/api/v1/webhooks/{id}/ping" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path);
        }

        var create = paths.GetProperty("/api/v1/webhooks").GetProperty("post");
        Assert.True(create.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(create.GetProperty("responses").TryGetProperty("401", out _));
        Assert.Equal("CreateWebhook", create.GetProperty("operationId").GetString());
    }
}
