using System.Globalization;
using Gateway.Downloads;

namespace Gateway.Abuse;

/// <summary>
/// Abuse limits on the download path: clients whose download requests keep ending in 404 or 410
/// get 429 for a while (see <see cref="MissedDownloadLimiter"/>; the download endpoints serve through
/// <see cref="ServeLimitedAsync"/>). The admin API's per-key rate limit is wired with the admin API
/// (Admin/AdminRateLimiting).
/// </summary>
internal static class AbuseLimits
{
    public static WebApplicationBuilder AddAbuseLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MissedDownloadLimiter>();
        return builder;
    }

    /// <summary>
    /// Serves a download request under the limit: a client this replica knows to be blocked is refused
    /// before the store is asked (a blocked guesser costs a dictionary lookup), and a 404 or 410 answer is
    /// counted before it goes out (<see cref="MissGate"/>), so the miss over the limit is answered 429.
    /// </summary>
    public static Task ServeLimitedAsync(this MissedDownloadLimiter limiter, HttpContext http, Func<HttpContext, Task> serve)
    {
        return limiter.Enabled ? ServeCountingMissesAsync(limiter, http, serve) : serve(http);
    }

    private static async Task ServeCountingMissesAsync(MissedDownloadLimiter limiter, HttpContext http, Func<HttpContext, Task> serve)
    {
        var client = ClientAddress.Of(http);
        if (limiter.IsBlocked(client, out var retryAfter))
        {
            await WriteTooManyAsync(http, retryAfter).ConfigureAwait(false);
            return;
        }

        var gate = new MissGate(limiter, client);
        http.Features.Set(gate);
        await serve(http).ConfigureAwait(false);
        if (!gate.Counted && http.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status410Gone)
        {
            // A 404/410 written past DownloadResponses: too late to refuse, not too late to count.
            await limiter.RecordMissAsync(client).ConfigureAwait(false);
        }
    }

    internal static Task WriteTooManyAsync(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return DownloadResponses.WriteAsync(
            http,
            StatusCodes.Status429TooManyRequests,
            $"Too many requests for links that do not exist or have ended. Please try again in {seconds} seconds.");
    }
}

/// <summary>
/// Set on a download request while the 404/410 limit is on: the gateway's own 404 or 410 answer
/// (<see cref="DownloadResponses.WriteAsync"/>) passes here first, is counted, and becomes a 429 when the
/// client is over the limit across replicas. At most one count per request.
/// </summary>
internal sealed class MissGate(MissedDownloadLimiter limiter, System.Net.IPAddress client)
{
    public bool Counted { get; private set; }

    /// <summary>Counts the miss; returns the rest of the client's window when it must be refused instead.</summary>
    public Task<TimeSpan?> CountAsync()
    {
        if (Counted)
        {
            return Task.FromResult<TimeSpan?>(null);
        }

        Counted = true;
        return limiter.RecordMissAsync(client);
    }
}
