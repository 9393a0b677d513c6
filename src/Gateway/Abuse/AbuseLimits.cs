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
    /// Serves a download request under the limit: a blocked client is refused before the store is
    /// asked (a blocked guesser costs a dictionary lookup), and a 404 or 410 answer counts as a miss.
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
            var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await DownloadResponses.WriteAsync(
                http,
                StatusCodes.Status429TooManyRequests,
                $"Too many requests for links that do not exist or have ended. Please try again in {seconds} seconds.").ConfigureAwait(false);
            return;
        }

        await serve(http).ConfigureAwait(false);
        if (http.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status410Gone)
        {
            limiter.RecordMiss(client);
        }
    }
}
