using System.Text.Json.Nodes;
using Gateway.Webhooks;

namespace Gateway.FunctionalTests.Webhooks;

public sealed class WebhookReplicaTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Events_pending_when_a_gateway_stops_are_delivered_by_the_next_one_on_the_same_store()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync(settings => settings["Gateway:Webhooks:RetryBackoff:0"] = "00:00:01");
        var id = await WebhookApiClient.RegisterAsync(env.Admin, receiver);
        receiver.FailNext(int.MaxValue);
        var publisher = env.Gateway.Services.GetRequiredService<IWebhookPublisher>();
        publisher.Publish(WebhookEventTypes.LinkRevoked, new JsonObject { ["code"] = "gone1" });
        publisher.Publish(WebhookEventTypes.LinkRevoked, new JsonObject { ["code"] = "gone2" });
        var failed = await receiver.WaitForAsync(2);
        var ids = failed.Select(r => r.WebhookId).ToHashSet();
        Assert.Equal(2, ids.Count);

        await env.Gateway.DisposeAsync();
        var before = receiver.Received.Count;
        receiver.FailNext(0);

        await using var next = await WebhookSettings.StartReplicaAsync(env);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (receiver.Received.Skip(before).Select(r => r.WebhookId).Distinct().Count() < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the pending events were not delivered after the restart");
            await Task.Delay(100, Cancel);
        }

        var delivered = receiver.Received.Skip(before).ToList();
        Assert.Equal(ids, delivered.Select(r => r.WebhookId).ToHashSet());
        Assert.All(delivered, r => Assert.True(r.SignatureValid));
        Assert.Equal(
            ["gone1", "gone2"],
            delivered.Select(r => r.Json.GetProperty("data").GetProperty("code").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Two_replicas_deliver_each_event_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync();
        await using var second = await WebhookSettings.StartReplicaAsync(env);
        await WebhookApiClient.RegisterAsync(env.Admin, receiver, ["link.created"]);
        await second.Services.GetRequiredService<WebhookEndpointCache>().RefreshAsync();

        const int events = 40;
        var publishers = new[] { env.Gateway.Services.GetRequiredService<IWebhookPublisher>(), second.Services.GetRequiredService<IWebhookPublisher>() };
        for (var i = 0; i < events; i++)
        {
            publishers[i % 2].Publish(WebhookEventTypes.LinkCreated, new JsonObject { ["code"] = $"code{i}" });
        }

        var received = await receiver.WaitForAsync(events);
        await Task.Delay(1000, Cancel);
        received = receiver.Received;
        Assert.Equal(events, received.Count);
        Assert.Equal(events, received.Select(r => r.WebhookId).Distinct().Count());
        Assert.Equal(events, received.Select(r => r.Json.GetProperty("data").GetProperty("code").GetString()).Distinct().Count());
        Assert.All(received, r => Assert.True(r.SignatureValid));
    }

    [Fact]
    public async Task A_job_whose_replica_stopped_mid_attempt_is_sent_by_another_once_the_lease_ends()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync(settings => settings["Gateway:Webhooks:AttemptTimeout"] = "00:00:03");
        var id = await WebhookApiClient.RegisterAsync(env.Admin, receiver);
        receiver.Hang();
        var queuedAt = DateTimeOffset.UtcNow;
        var eventId = await WebhookApiClient.PingAsync(env.Admin, id);
        await receiver.WaitForAsync(1);

        // Stopped mid-attempt: nothing is recorded, and the job stays leased (Lease 4 s in these settings).
        await env.Gateway.DisposeAsync();
        receiver.Release();
        await using var next = await WebhookSettings.StartReplicaAsync(env);

        var requests = await receiver.WaitForAsync(2);
        Assert.Equal(eventId, requests[1].WebhookId);
        Assert.True(requests[1].SignatureValid);
        // Claimed after it was queued, leased for 4 s: no replica may take it again sooner.
        Assert.True(requests[1].ReceivedAt - queuedAt >= TimeSpan.FromSeconds(3.9), $"taken again after {requests[1].ReceivedAt - queuedAt}, inside the lease");
        using var admin = next.CreateClient(Infrastructure.GatewayTestEnvironment.AdminKey);
        var delivery = Assert.Single(await WebhookApiClient.WaitForDeliveriesAsync(admin, id, d => d.Count == 1));
        Assert.Equal("delivered", delivery.GetProperty("result").GetString());
    }
}
