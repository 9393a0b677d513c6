using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Webhooks;

/// <summary>
/// Every event type end to end: raised by a real gateway, delivered by its machinery to a real receiver
/// on 127.0.0.1, signed over exactly the bytes that arrived, with the data the README promises.
/// </summary>
public sealed class WebhookEventTests
{
    private const long LargeSize = 64L * 1024 * 1024;

    private static readonly string[] LinkEvents = ["link.created", "link.updated", "link.revoked", "link.restored", "link.deleted"];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Admin_changes_arrive_as_signed_link_events_with_the_link_and_the_changed_fields()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync();
        await WebhookApiClient.RegisterAsync(env.Admin, receiver, LinkEvents);
        await env.PutObjectAsync("reports/q3.pdf", new byte[100]);

        var code = await env.CreateLinkAsync("reports/q3.pdf", new { tags = new[] { "finance" }, maxDownloads = 3 });
        using (var patch = await WebhookApiClient.SendJsonAsync(env.Admin, HttpMethod.Patch, $"/api/v1/links/{code}", """{"maxDownloads":9,"note":"for the board"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await env.Admin.PostAsync($"/api/v1/links/{code}/revoke", null, Cancel)).StatusCode);
        // Revoking a revoked link changes nothing and raises nothing.
        Assert.Equal(HttpStatusCode.OK, (await env.Admin.PostAsync($"/api/v1/links/{code}/revoke", null, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await env.Admin.PostAsync($"/api/v1/links/{code}/restore", null, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await env.Admin.DeleteAsync($"/api/v1/links/{code}", Cancel)).StatusCode);

        var received = await receiver.WaitForAsync(5);
        await Task.Delay(500, Cancel);
        Assert.Equal(5, receiver.Received.Count);
        Assert.All(receiver.Received, request => Assert.True(request.SignatureValid, $"{request.Type}: the signature does not cover the bytes that arrived"));
        var byType = receiver.Received.ToDictionary(request => request.Type);
        Assert.Equal(LinkEvents.Order(StringComparer.Ordinal), byType.Keys.Order(StringComparer.Ordinal));

        var created = Data(byType["link.created"]);
        Assert.Equal(code, created.GetProperty("code").GetString());
        Assert.Equal(GatewayTestEnvironment.BucketAlias, created.GetProperty("bucket").GetString());
        Assert.Equal("reports/q3.pdf", created.GetProperty("key").GetString());
        Assert.Equal("active", created.GetProperty("state").GetString());
        Assert.Equal("proxy", created.GetProperty("mode").GetString());
        Assert.Equal(3, created.GetProperty("maxDownloads").GetInt64());
        Assert.Equal(["finance"], created.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        var updated = Data(byType["link.updated"]);
        Assert.Equal(9, updated.GetProperty("maxDownloads").GetInt64());
        Assert.Equal(["maxDownloads", "note"], updated.GetProperty("changed").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal));

        Assert.Equal("revoked", Data(byType["link.revoked"]).GetProperty("state").GetString());
        Assert.Equal("active", Data(byType["link.restored"]).GetProperty("state").GetString());
        var deleted = Data(byType["link.deleted"]);
        Assert.Equal((code, "reports/q3.pdf"), (deleted.GetProperty("code").GetString(), deleted.GetProperty("key").GetString()));
        Assert.Equal(received.Count, received.Select(r => r.WebhookId).Distinct().Count());
    }

    [Fact]
    public async Task A_completed_download_reports_its_status_range_and_the_bytes_sent_without_the_client_address()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync();
        await WebhookApiClient.RegisterAsync(env.Admin, receiver, ["download.completed"]);
        await env.PutObjectAsync("a.bin", new byte[10_000]);
        var code = await env.CreateLinkAsync("a.bin", new { tags = new[] { "t1", "t2" } });

        using (var whole = await env.Gateway.Client.GetAsync($"/{code}", Cancel))
        {
            Assert.Equal(10_000, (await whole.Content.ReadAsByteArrayAsync(Cancel)).Length);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}"))
        {
            request.Headers.Range = new RangeHeaderValue(0, 99);
            using var response = await env.Gateway.Client.SendAsync(request, Cancel);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        }

        // HEAD delivers no object bytes: no event.
        using (var head = new HttpRequestMessage(HttpMethod.Head, $"/{code}"))
        {
            (await env.Gateway.Client.SendAsync(head, Cancel)).Dispose();
        }

        await receiver.WaitForAsync(2);
        await Task.Delay(500, Cancel);
        Assert.Equal(2, receiver.Received.Count);
        Assert.All(receiver.Received, request => Assert.True(request.SignatureValid));
        Assert.All(receiver.Received, request => Assert.Equal("download.completed", request.Type));
        var events = receiver.Received.Select(Data).OrderBy(d => d.GetProperty("status").GetInt32()).ToList();

        var full = events[0];
        Assert.Equal(code, full.GetProperty("code").GetString());
        Assert.Equal(GatewayTestEnvironment.BucketAlias, full.GetProperty("bucket").GetString());
        Assert.Equal("a.bin", full.GetProperty("key").GetString());
        Assert.Equal(["t1", "t2"], full.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(200, full.GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.Null, full.GetProperty("range").ValueKind);
        Assert.Equal(10_000, full.GetProperty("bytesSent").GetInt64());
        Assert.True(full.GetProperty("durationMs").GetInt64() >= 0);
        Assert.False(full.TryGetProperty("clientAddress", out _));

        var ranged = events[1];
        Assert.Equal(206, ranged.GetProperty("status").GetInt32());
        Assert.Equal("bytes=0-99", ranged.GetProperty("range").GetString());
        Assert.Equal(100, ranged.GetProperty("bytesSent").GetInt64());
    }

    [Fact]
    public async Task The_client_address_is_sent_only_when_the_setting_asks_for_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync(settings => settings["Gateway:Webhooks:IncludeClientAddress"] = "true");
        await WebhookApiClient.RegisterAsync(env.Admin, receiver, ["download.completed"]);
        await env.PutObjectAsync("a.bin", new byte[1000]);
        var code = await env.CreateLinkAsync("a.bin");

        (await env.Gateway.Client.GetAsync($"/{code}", Cancel)).Dispose();

        var request = Assert.Single(await receiver.WaitForAsync(1));
        Assert.True(request.SignatureValid);
        Assert.Equal("127.0.0.1", Data(request).GetProperty("clientAddress").GetString());
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_body_raises_download_aborted()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync();
        await WebhookApiClient.RegisterAsync(env.Admin, receiver, ["download.completed", "download.aborted"]);
        using (var content = new PatternStream(LargeSize))
        {
            await env.PutObjectAsync("large.bin", content);
        }

        var code = await env.CreateLinkAsync("large.bin");
        using (var client = env.Gateway.CreateClient())
        {
            using var response = await client.GetAsync($"/{code}", HttpCompletionOption.ResponseHeadersRead, Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStreamAsync(Cancel);
            var buffer = new byte[64 * 1024];
            long read = 0;
            while (read < 1024 * 1024)
            {
                read += await body.ReadAsync(buffer, Cancel);
            }
        }

        var request = Assert.Single(await receiver.WaitForAsync(1, TimeSpan.FromSeconds(30)));
        Assert.True(request.SignatureValid);
        Assert.Equal("download.aborted", request.Type);
        var data = Data(request);
        Assert.Equal(code, data.GetProperty("code").GetString());
        Assert.InRange(data.GetProperty("bytesSent").GetInt64(), 1024 * 1024, LargeSize - 1);
    }

    [Fact]
    public async Task Link_exhausted_arrives_once_when_concurrent_downloads_on_two_replicas_use_the_link_up()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync();
        await WebhookApiClient.RegisterAsync(env.Admin, receiver, ["link.exhausted"]);
        await using var replica = await WebhookSettings.StartReplicaAsync(env);
        await env.PutObjectAsync("limited.bin", new byte[5000]);
        var code = await env.CreateLinkAsync("limited.bin", new { maxDownloads = 3, tags = new[] { "promo" } });
        // Each replica re-reads the subscriptions within EndpointRefreshInterval (0.5 s in these tests).
        await Task.Delay(1000, Cancel);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => DownloadAsync(i % 2 == 0 ? env.Gateway.Client : replica.Client, code, $"client-{i}")));
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.OK));

        var request = Assert.Single(await receiver.WaitForAsync(1));
        await Task.Delay(1500, Cancel);
        Assert.Single(receiver.Received);
        Assert.True(request.SignatureValid);
        Assert.Equal("link.exhausted", request.Type);
        var data = Data(request);
        Assert.Equal((code, 3L), (data.GetProperty("code").GetString(), data.GetProperty("maxDownloads").GetInt64()));
        Assert.Equal(["promo"], data.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Link_expired_arrives_once_however_many_requests_on_two_replicas_are_refused()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync();
        await WebhookApiClient.RegisterAsync(env.Admin, receiver, ["link.expired"]);
        await using var replica = await WebhookSettings.StartReplicaAsync(env);
        await env.PutObjectAsync("soon.bin", new byte[100]);
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(2);
        var code = await env.CreateLinkAsync("soon.bin", new { expiresAt });

        // Served while valid: no event on that path.
        Assert.Equal(HttpStatusCode.OK, await DownloadAsync(env.Gateway.Client, code, "early"));
        await Task.Delay(expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(1100), Cancel);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => DownloadAsync(i % 2 == 0 ? env.Gateway.Client : replica.Client, code, $"late-{i}")));
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Gone, status));

        var request = Assert.Single(await receiver.WaitForAsync(1));
        await Task.Delay(1500, Cancel);
        Assert.Single(receiver.Received);
        Assert.True(request.SignatureValid);
        Assert.Equal("link.expired", request.Type);
        Assert.Equal(code, Data(request).GetProperty("code").GetString());
        Assert.Equal(expiresAt.ToUnixTimeMilliseconds(), Data(request).GetProperty("expiresAt").GetDateTimeOffset().ToUnixTimeMilliseconds());
    }

    private static JsonElement Data(ReceivedWebhook request) => request.Json.GetProperty("data");

    private static async Task<HttpStatusCode> DownloadAsync(HttpClient client, string code, string userAgent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        request.Headers.UserAgent.ParseAdd(userAgent);
        using var response = await client.SendAsync(request, Cancel);
        await response.Content.ReadAsByteArrayAsync(Cancel);
        return response.StatusCode;
    }
}
