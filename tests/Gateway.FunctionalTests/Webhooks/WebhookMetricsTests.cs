using System.Globalization;
using System.Text.Json.Nodes;
using Gateway.FunctionalTests.Telemetry;
using Gateway.Webhooks;

namespace Gateway.FunctionalTests.Webhooks;

/// <summary>The webhook instruments, read from /metrics. In the telemetry collection: the gateway's exporter sees every gateway of the process.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class WebhookMetricsTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Attempts_are_counted_by_result()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync();
        var id = await WebhookApiClient.RegisterAsync(env.Admin, receiver);
        receiver.FailNext(3, 503);
        await WebhookApiClient.PingAsync(env.Admin, id);
        await WebhookApiClient.WaitForDeliveriesAsync(env.Admin, id, d => d.Count == 4);

        var scrape = PrometheusScrape.Parse(await env.Gateway.Client.GetStringAsync("/metrics", Cancel));
        Assert.Equal(1, scrape.Sum("gateway_webhook_deliveries_total", l => l.GetValueOrDefault("gateway_result") == "delivered"));
        Assert.Equal(3, scrape.Sum("gateway_webhook_deliveries_total", l => l.GetValueOrDefault("gateway_result") == "retried"));
        Assert.Equal(0, scrape.Sum("gateway_webhook_backlog"));

        // Deliveries are HttpClient requests like any other (only the requests to OSS are left out, as
        // gateway.upstream.time_to_first_byte times them): measured, with the long-request buckets.
        var port = receiver.BaseAddress.Port.ToString(CultureInfo.InvariantCulture);
        Assert.Equal(4, scrape.Sum("http_client_request_duration_seconds_count", l => l.GetValueOrDefault("server_port") == port));
        Assert.Contains(scrape.Samples, s => s.Name == "http_client_request_duration_seconds_bucket" && s.Labels.GetValueOrDefault("server_port") == port && s.Labels["le"] == "3600");
    }

    [Fact]
    public async Task Events_beyond_MaxBacklog_are_dropped_and_counted()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var env = await WebhookSettings.StartAsync(settings =>
        {
            settings["Gateway:Webhooks:MaxBacklog"] = "3";
            settings["Gateway:Webhooks:RetryBackoff:0"] = "00:10:00";
        });
        await WebhookApiClient.RegisterAsync(env.Admin, receiver, ["link.created"]);
        receiver.FailNext(int.MaxValue);
        var publisher = env.Gateway.Services.GetRequiredService<IWebhookPublisher>();
        for (var i = 0; i < 5; i++)
        {
            publisher.Publish(WebhookEventTypes.LinkCreated, new JsonObject { ["code"] = $"c{i}" });
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        PrometheusScrape scrape;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "the dropped events were never counted");
            await Task.Delay(100, Cancel);
            scrape = PrometheusScrape.Parse(await env.Gateway.Client.GetStringAsync("/metrics", Cancel));
        }
        while (scrape.Sum("gateway_webhook_dropped_total", l => l.GetValueOrDefault("gateway_reason") == "backlog_full") < 2);

        await receiver.WaitForAsync(3);
        await Task.Delay(300, Cancel);
        Assert.Equal(3, receiver.Received.Select(r => r.WebhookId).Distinct().Count());
        var text = await env.Gateway.Client.GetStringAsync("/metrics", Cancel);
        scrape = PrometheusScrape.Parse(text);
        Assert.True(2 == scrape.Sum("gateway_webhook_dropped_total"), text);
        Assert.Equal(3, scrape.Sum("gateway_webhook_backlog"));
    }

    [Fact]
    public async Task While_the_store_is_down_events_beyond_QueueCapacity_are_dropped_and_the_rest_delivered_after()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var setup = await Infrastructure.FaultProxiedEnvironment.StartAsync(settings =>
        {
            WebhookSettings.Apply(settings);
            settings["Gateway:Webhooks:QueueCapacity"] = "2";
        });
        var env = setup.Environment;
        await WebhookApiClient.RegisterAsync(env.Admin, receiver, ["link.revoked"]);
        var publisher = env.Gateway.Services.GetRequiredService<IWebhookPublisher>();

        setup.Proxy.Refuse();
        publisher.Publish(WebhookEventTypes.LinkRevoked, new JsonObject { ["code"] = "first" });
        await Task.Delay(300, Cancel);
        for (var i = 0; i < 5; i++)
        {
            publisher.Publish(WebhookEventTypes.LinkRevoked, new JsonObject { ["code"] = $"more{i}" });
        }

        // The writer holds "first" while it retries; the queue takes two more; three are dropped.
        var scrape = PrometheusScrape.Parse(await env.Gateway.Client.GetStringAsync("/metrics", Cancel));
        Assert.Equal(3, scrape.Sum("gateway_webhook_dropped_total", l => l.GetValueOrDefault("gateway_reason") == "queue_full"));

        setup.Proxy.Pass();
        var received = await receiver.WaitForAsync(3, TimeSpan.FromSeconds(30));
        await Task.Delay(500, Cancel);
        Assert.Equal(
            ["first", "more0", "more1"],
            receiver.Received.Select(r => r.Json.GetProperty("data").GetProperty("code").GetString()).Order(StringComparer.Ordinal));
    }
}
