using System.Globalization;
using Gateway.Downloads;

namespace Gateway.Abuse;

/// <summary>
/// Abuse limits on the download path: clients whose download requests keep ending in 404 or 410
/// get 429 for a while (see <see cref="MissedDownloadLimiter"/>). The download endpoints serve through
/// <see cref="ServeLimitedAsync"/>, and every 404 or 410 they answer is counted first
/// (<see cref="DownloadResponses.WriteAsync"/>). The admin API's per-key rate limit is wired with the
/// admin API (Admin/AdminRateLimiting).
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
    /// before the store is asked (a blocked guesser costs a dictionary lookup; a served download, nothing more).
    /// </summary>
    public static Task ServeLimitedAsync(this MissedDownloadLimiter limiter, HttpContext http, Func<HttpContext, Task> serve)
    {
        return limiter.Enabled && limiter.IsBlocked(ClientAddress.Of(http), out var retryAfter)
            ? WriteTooManyAsync(http, retryAfter)
            : serve(http);
    }

    /// <summary>
    /// Counts a 404 or 410 the download path is about to answer; true when the client is over the limit
    /// across replicas and was answered 429 instead.
    /// </summary>
    public static async Task<bool> RefusedAsMissAsync(HttpContext http)
    {
        var limiter = http.RequestServices.GetRequiredService<MissedDownloadLimiter>();
        if (!limiter.Enabled || await limiter.RecordMissAsync(ClientAddress.Of(http)).ConfigureAwait(false) is not { } retryAfter)
        {
            return false;
        }

        await WriteTooManyAsync(http, retryAfter).ConfigureAwait(false);
        return true;
    }

    private static Task WriteTooManyAsync(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return DownloadResponses.WriteAsync(
            http,
            StatusCodes.Status429TooManyRequests,
            $"Too many requests for links that do not exist or have ended. Please try again in {seconds} seconds.");
    }
}
