using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Gateway.FunctionalTests.Admin;

/// <summary>Small JSON helpers for admin API tests.</summary>
internal static class AdminJson
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.Clone();

    public static Task<HttpResponseMessage> PatchAsync(HttpClient client, string code, string json) =>
        client.PatchAsync($"/api/v1/links/{code}", new StringContent(json, Encoding.UTF8, "application/merge-patch+json"), Cancel);

    public static Task<HttpResponseMessage> PostJsonAsync(HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), Cancel);

    public static async Task<JsonElement> GetOkAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, Cancel);
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Follows nextCursor to the end and returns every item of a list endpoint, asserting no page repeats an item.</summary>
    public static async Task<List<JsonElement>> ReadAllPagesAsync(HttpClient client, string path, int limit)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        for (var pages = 0; pages < 1000; pages++)
        {
            var page = await GetOkAsync(client, $"{path}{separator}limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            items.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("nextCursor").GetString();
            if (cursor is null)
            {
                return items;
            }
        }

        throw new InvalidOperationException("The list did not end within 1000 pages.");
    }

    public static Task<HttpResponseMessage> CreateAsync(HttpClient client, object body) =>
        client.PostAsJsonAsync("/api/v1/links", body, Cancel);
}
