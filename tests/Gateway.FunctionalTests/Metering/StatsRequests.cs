using System.Globalization;
using System.Text.Json;

namespace Gateway.FunctionalTests.Metering;

/// <summary>Reads of the stats API, and waiting for batched counters to land.</summary>
internal static class StatsRequests
{
    /// <summary>Longer than a flush interval: after this, anything still buffered has been written.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(1500);

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);

    public static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>
    /// Polls until <paramref name="done"/> holds (counters arrive in batches, after the response), then
    /// waits one more flush and reads again, so a count that is too high shows up as well.
    /// </summary>
    /// <remarks>Answers other than 200 (a 503 while the store is still reconnecting, say) count as "not yet".</remarks>
    public static async Task<JsonElement> WaitForAsync(HttpClient client, string path, Func<JsonElement, bool> done, int timeoutSeconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            using (var response = await client.GetAsync(path, TestContext.Current.CancellationToken))
            {
                if (response.IsSuccessStatusCode && done(JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement))
                {
                    break;
                }
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        await Task.Delay(Settle, TestContext.Current.CancellationToken);
        return await GetJsonAsync(client, path);
    }

    public static long Long(this JsonElement element, string name) => element.GetProperty(name).GetInt64();

    /// <summary>started/downloads/aborted/bytes of a totals, day or bucket object.</summary>
    public static (long Started, long Downloads, long Aborted, long Bytes) Counts(this JsonElement element) =>
        (element.Long("started"), element.Long("downloads"), element.Long("aborted"), element.Long("bytes"));
}
