using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Gateway.FunctionalTests.Webhooks;

/// <summary>The webhook endpoints API as the tests call it; each call asserts the status it expects.</summary>
public static class WebhookApiClient
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Registers <paramref name="url"/> for <paramref name="events"/> (default all) and returns the 201 body (with its secret).</summary>
    public static async Task<JsonElement> CreateAsync(HttpClient admin, Uri url, string[]? events = null, bool enabled = true)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url = url.ToString(), events = events ?? ["*"], enabled }, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create webhook: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Creates an endpoint for the receiver and tells the receiver its secret; returns the endpoint's id.</summary>
    public static async Task<string> RegisterAsync(HttpClient admin, WebhookReceiver receiver, string[]? events = null)
    {
        var created = await CreateAsync(admin, receiver.Url, events);
        receiver.Secrets = [created.GetProperty("secret").GetString()!];
        return created.GetProperty("id").GetString()!;
    }

    public static async Task<string> PingAsync(HttpClient admin, string id)
    {
        using var response = await admin.PostAsync($"/api/v1/webhooks/{id}/ping", null, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"ping: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("eventId").GetString()!;
    }

    public static async Task<JsonElement> GetAsync(HttpClient admin, string path)
    {
        using var response = await admin.GetAsync(path, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<List<JsonElement>> DeliveriesAsync(HttpClient admin, string id) =>
        [.. (await GetAsync(admin, $"/api/v1/webhooks/{id}/deliveries")).GetProperty("items").EnumerateArray()];

    /// <summary>Polls the deliveries until <paramref name="done"/> holds; fails after <paramref name="timeout"/> (default 20 s).</summary>
    public static async Task<List<JsonElement>> WaitForDeliveriesAsync(HttpClient admin, string id, Func<List<JsonElement>, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var deliveries = await DeliveriesAsync(admin, id);
            if (done(deliveries))
            {
                return deliveries;
            }

            Assert.True(DateTime.UtcNow < deadline, $"deliveries never reached the expected state: {string.Join(", ", deliveries.Select(d => d.GetRawText()))}");
            await Task.Delay(100, Cancel);
        }
    }

    public static Task<HttpResponseMessage> SendJsonAsync(HttpClient admin, HttpMethod method, string path, string json) =>
        admin.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") }, Cancel);
}
