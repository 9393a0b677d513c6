using System.Diagnostics;
using System.Net;

namespace Gateway.FunctionalTests.Faults;

/// <summary>One download as the client saw it: status, whether the body was exactly the object, how long it took.</summary>
internal readonly record struct TimedDownload(HttpStatusCode Status, bool BodyIsObject, TimeSpan Elapsed, string? RetryAfter)
{
    /// <summary>GETs <paramref name="path"/>; <paramref name="userAgent"/> makes each call its own download session when it differs.</summary>
    public static async Task<TimedDownload> GetAsync(HttpClient client, string path, byte[] expected, string userAgent = "fault-test")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        var started = Stopwatch.GetTimestamp();
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        return new TimedDownload(
            response.StatusCode,
            response.StatusCode == HttpStatusCode.OK && body.AsSpan().SequenceEqual(expected),
            Stopwatch.GetElapsedTime(started),
            response.Headers.RetryAfter?.ToString());
    }

    public override string ToString() => $"{(int)Status} {(BodyIsObject ? "object" : "no object")} in {Elapsed.TotalMilliseconds:0} ms";
}
