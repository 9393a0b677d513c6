using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Webhooks;
using StandardWebhooks;

namespace Gateway.FunctionalTests.Webhooks;

public sealed class WebhookDeliveryTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_ping_arrives_signed_as_Standard_Webhooks_verify_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync();
        var id = await WebhookApiClient.RegisterAsync(env.Admin, receiver);
        var eventId = await WebhookApiClient.PingAsync(env.Admin, id);

        var request = Assert.Single(await receiver.WaitForAsync(1));
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hook", request.Path);
        Assert.Equal(eventId, request.WebhookId);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.InRange(long.Parse(request.Timestamp, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal("ping", request.Type);
        Assert.Equal(id, request.Json.GetProperty("data").GetProperty("webhook").GetString());
        Assert.True(request.Json.TryGetProperty("timestamp", out _));

        // The receiver's own HMAC-SHA256 over "id.timestamp.body", and the package's verifier.
        Assert.True(request.SignatureValid);
        var headers = new HeaderDictionary
        {
            ["webhook-id"] = request.WebhookId,
            ["webhook-timestamp"] = request.Timestamp,
            ["webhook-signature"] = request.Signature,
        };
        new StandardWebhook(receiver.Secrets[0]).Verify(Encoding.UTF8.GetString(request.Body), headers);
        Assert.False(WebhookReceiver.SignatureMatches("whsec_" + Convert.ToBase64String(new byte[32]), request.WebhookId, request.Timestamp, request.Body, request.Signature));
        Assert.ThrowsAny<Exception>(() => new StandardWebhook(receiver.Secrets[0]).Verify(Encoding.UTF8.GetString(request.Body) + " ", headers));

        var delivery = Assert.Single(await WebhookApiClient.WaitForDeliveriesAsync(env.Admin, id, d => d.Count == 1));
        Assert.Equal(eventId, delivery.GetProperty("eventId").GetString());
        Assert.Equal("delivered", delivery.GetProperty("result").GetString());
        Assert.Equal(204, delivery.GetProperty("statusCode").GetInt32());
        Assert.Equal(1, delivery.GetProperty("attempt").GetInt32());
        Assert.Equal("ping", delivery.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_published_event_reaches_the_subscribed_endpoints_only_with_the_same_bytes_each_time()
    {
        await using var subscribed = await WebhookReceiver.StartAsync();
        await using var other = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync();
        await WebhookApiClient.RegisterAsync(env.Admin, subscribed, ["link.created"]);
        await WebhookApiClient.RegisterAsync(env.Admin, other, ["link.deleted"]);
        var publisher = env.Gateway.Services.GetRequiredService<IWebhookPublisher>();
        Assert.False(publisher.WantsDownloadEvents);

        publisher.Publish(WebhookEventTypes.LinkCreated, new JsonObject { ["code"] = "abc123" });
        var request = Assert.Single(await subscribed.WaitForAsync(1));
        Assert.True(request.SignatureValid);
        Assert.Equal("link.created", request.Type);
        Assert.Equal("abc123", request.Json.GetProperty("data").GetProperty("code").GetString());
        Assert.StartsWith("msg_", request.WebhookId, StringComparison.Ordinal);
        await Task.Delay(500, Cancel);
        Assert.Empty(other.Received);
    }

    [Fact]
    public async Task WantsDownloadEvents_follows_the_subscriptions_on_this_replica_at_once()
    {
        await using var env = await WebhookSettings.StartAsync();
        var publisher = env.Gateway.Services.GetRequiredService<IWebhookPublisher>();
        Assert.False(publisher.WantsDownloadEvents);
        var id = (await WebhookApiClient.CreateAsync(env.Admin, new Uri("http://127.0.0.1:9/"), ["download.completed"])).GetProperty("id").GetString();
        Assert.True(publisher.WantsDownloadEvents);
        using var patched = await WebhookApiClient.SendJsonAsync(env.Admin, HttpMethod.Patch, $"/api/v1/webhooks/{id}", """{"enabled":false}""");
        patched.EnsureSuccessStatusCode();
        Assert.False(publisher.WantsDownloadEvents);
    }

    [Fact]
    public async Task A_receiver_failing_its_first_three_attempts_gets_the_event_with_the_same_webhook_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync();
        var id = await WebhookApiClient.RegisterAsync(env.Admin, receiver);
        receiver.FailNext(3, 503);
        var eventId = await WebhookApiClient.PingAsync(env.Admin, id);

        var requests = await receiver.WaitForAsync(4);
        Assert.All(requests, r => Assert.Equal(eventId, r.WebhookId));
        Assert.All(requests, r => Assert.True(r.SignatureValid));
        Assert.All(requests, r => Assert.Equal(requests[0].Body, r.Body));

        var deliveries = await WebhookApiClient.WaitForDeliveriesAsync(env.Admin, id, d => d.Count == 4);
        Assert.Equal([4, 3, 2, 1], deliveries.Select(d => d.GetProperty("attempt").GetInt32()));
        Assert.Equal(["delivered", "retrying", "retrying", "retrying"], deliveries.Select(d => d.GetProperty("result").GetString()));
        Assert.Equal([204, 503, 503, 503], deliveries.Select(d => d.GetProperty("statusCode").GetInt32()));
        await Task.Delay(600, Cancel);
        Assert.Equal(4, receiver.Received.Count);
    }

    [Fact]
    public async Task A_redelivery_sends_the_same_event_again_with_the_same_webhook_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync();
        var id = await WebhookApiClient.RegisterAsync(env.Admin, receiver);
        var eventId = await WebhookApiClient.PingAsync(env.Admin, id);
        var delivery = Assert.Single(await WebhookApiClient.WaitForDeliveriesAsync(env.Admin, id, d => d.Count == 1));

        using var response = await env.Admin.PostAsync($"/api/v1/webhooks/{id}/deliveries/{delivery.GetProperty("deliveryId").GetString()}/redeliver", null, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var requests = await receiver.WaitForAsync(2);
        Assert.Equal(eventId, requests[1].WebhookId);
        Assert.Equal(requests[0].Body, requests[1].Body);
        Assert.True(requests[1].SignatureValid);

        using var unknown = await env.Admin.PostAsync($"/api/v1/webhooks/{id}/deliveries/dlv_nope/redeliver", null, Cancel);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_and_counts_as_a_failure()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync(settings => settings["Gateway:Webhooks:RetryBackoff:0"] = "00:01:00");
        var id = await WebhookApiClient.RegisterAsync(env.Admin, receiver);
        receiver.Respond(context =>
        {
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = new Uri(receiver.BaseAddress, "/elsewhere").ToString();
            return Task.CompletedTask;
        });
        await WebhookApiClient.PingAsync(env.Admin, id);

        var delivery = Assert.Single(await WebhookApiClient.WaitForDeliveriesAsync(env.Admin, id, d => d.Count == 1));
        Assert.Equal(307, delivery.GetProperty("statusCode").GetInt32());
        Assert.Equal("retrying", delivery.GetProperty("result").GetString());
        Assert.Contains("Redirect", delivery.GetProperty("error").GetString(), StringComparison.Ordinal);
        await Task.Delay(300, Cancel);
        Assert.Equal(["/hook"], receiver.Received.Select(r => r.Path));
    }

    [Fact]
    public async Task A_host_resolving_to_loopback_is_refused_at_connection_without_private_networks()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync(settings => settings["Gateway:Webhooks:AllowPrivateNetworks"] = "false");

        // Registered through a replica that allows private networks (the setting is per replica), disabled so
        // that replica never sends; the replica under test then enables it without changing the url.
        string id;
        await using (var permissive = await WebhookSettings.StartReplicaAsync(env))
        {
            using var admin = permissive.CreateClient(Infrastructure.GatewayTestEnvironment.AdminKey);
            var url = new UriBuilder(receiver.Url) { Scheme = "https", Host = "localhost" }.Uri;
            id = (await WebhookApiClient.CreateAsync(admin, url, enabled: false)).GetProperty("id").GetString()!;
        }

        using (var enabled = await WebhookApiClient.SendJsonAsync(env.Admin, HttpMethod.Patch, $"/api/v1/webhooks/{id}", """{"enabled":true}"""))
        {
            Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        }

        await WebhookApiClient.PingAsync(env.Admin, id);
        var delivery = (await WebhookApiClient.WaitForDeliveriesAsync(env.Admin, id, d => d.Count >= 1))[^1];
        var error = delivery.GetProperty("error").GetString()!;
        Assert.Contains("Refused to connect", error, StringComparison.Ordinal);
        Assert.Contains("loopback", error, StringComparison.Ordinal);
        Assert.False(delivery.TryGetProperty("statusCode", out _));
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task After_a_secret_rotation_both_secrets_sign_during_the_grace_period()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync();
        var id = await WebhookApiClient.RegisterAsync(env.Admin, receiver);
        var oldSecret = receiver.Secrets[0];
        using var response = await env.Admin.PostAsync($"/api/v1/webhooks/{id}/rotate-secret", null, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rotated = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        var newSecret = rotated.GetProperty("secret").GetString()!;
        Assert.NotEqual(oldSecret, newSecret);
        Assert.True(rotated.GetProperty("previousSecretExpiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddHours(23));
        receiver.Secrets = [newSecret, oldSecret];

        await WebhookApiClient.PingAsync(env.Admin, id);
        var request = Assert.Single(await receiver.WaitForAsync(1));
        var signatures = request.Signature.Split(' ');
        Assert.Equal(2, signatures.Length);
        Assert.All(signatures, s => Assert.StartsWith("v1,", s, StringComparison.Ordinal));
        Assert.True(WebhookReceiver.SignatureMatches(newSecret, request.WebhookId, request.Timestamp, request.Body, signatures[0]));
        Assert.True(WebhookReceiver.SignatureMatches(oldSecret, request.WebhookId, request.Timestamp, request.Body, signatures[1]));
        Assert.True(request.SignatureValid);
    }

    [Fact]
    public async Task After_the_grace_period_only_the_new_secret_signs()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync(settings => settings["Gateway:Webhooks:SecretRotationGrace"] = "00:00:00");
        var id = await WebhookApiClient.RegisterAsync(env.Admin, receiver);
        using var response = await env.Admin.PostAsync($"/api/v1/webhooks/{id}/rotate-secret", null, Cancel);
        var newSecret = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("secret").GetString()!;
        receiver.Secrets = [newSecret];

        await WebhookApiClient.PingAsync(env.Admin, id);
        var request = Assert.Single(await receiver.WaitForAsync(1));
        Assert.Single(request.Signature.Split(' '));
        Assert.True(request.SignatureValid);
    }

    [Fact]
    public async Task An_endpoint_failing_for_DisableAfter_is_disabled_and_that_is_audited()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync(settings => settings["Gateway:Webhooks:DisableAfter"] = "00:00:01.500");
        var id = await WebhookApiClient.RegisterAsync(env.Admin, receiver);
        receiver.FailNext(int.MaxValue);
        await WebhookApiClient.PingAsync(env.Admin, id);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await WebhookApiClient.GetAsync(env.Admin, $"/api/v1/webhooks/{id}")).GetProperty("enabled").GetBoolean())
        {
            Assert.True(DateTime.UtcNow < deadline, "the failing endpoint was never disabled");
            await Task.Delay(100, Cancel);
        }

        Assert.True(receiver.Received.Count >= 2);
        // The audit entry follows the switch in the store, so it may land a moment after the endpoint reads as disabled.
        List<System.Text.Json.JsonElement> entries;
        while ((entries = [.. (await WebhookApiClient.GetAsync(env.Admin, "/api/v1/audit?actor=gateway")).GetProperty("items").EnumerateArray()]).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the disabling was never audited");
            await Task.Delay(50, Cancel);
        }

        var entry = Assert.Single(entries);
        Assert.Equal("webhook.disable", entry.GetProperty("action").GetString());
        Assert.Equal(id, entry.GetProperty("details").GetProperty("webhook").GetString());

        // Disabled: nothing more is sent, and a ping is refused.
        var count = receiver.Received.Count;
        await Task.Delay(600, Cancel);
        Assert.Equal(count, receiver.Received.Count);
        using var ping = await env.Admin.PostAsync($"/api/v1/webhooks/{id}/ping", null, Cancel);
        Assert.Equal(HttpStatusCode.Conflict, ping.StatusCode);
    }

    [Fact]
    public async Task A_hanging_receiver_times_out_and_does_not_hold_up_the_gateway()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync(settings =>
        {
            settings["Gateway:Webhooks:AttemptTimeout"] = "00:00:01";
            settings["Gateway:Webhooks:RetryBackoff:0"] = "00:01:00";
        });
        var id = await WebhookApiClient.RegisterAsync(env.Admin, receiver);
        receiver.Hang();
        await env.PutObjectAsync("hang.txt", Encoding.UTF8.GetBytes("still served"));
        var code = await env.CreateLinkAsync("hang.txt");
        var publisher = env.Gateway.Services.GetRequiredService<IWebhookPublisher>();
        for (var i = 0; i < 50; i++)
        {
            publisher.Publish(WebhookEventTypes.LinkCreated, new JsonObject { ["code"] = $"h{i}" });
        }

        await receiver.WaitForAsync(16);
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal("still served", await env.Gateway.Client.GetStringAsync($"/{code}", Cancel));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(1), $"a download took {started.Elapsed} while deliveries hung");

        // At most MaxConcurrentDeliveries (16) attempts are held open at once, and each gives up after AttemptTimeout.
        await Task.Delay(300, Cancel);
        Assert.Equal(16, receiver.Received.Count);
        var deliveries = await WebhookApiClient.WaitForDeliveriesAsync(env.Admin, id, d => d.Count >= 16);
        Assert.All(deliveries, d => Assert.Contains("Timed out", d.GetProperty("error").GetString(), StringComparison.Ordinal));
        Assert.All(deliveries, d => Assert.Equal("retrying", d.GetProperty("result").GetString()));
    }
}
