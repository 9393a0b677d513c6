using System.Globalization;
using Gateway.Downloads;

namespace Gateway.Abuse;

/// <summary>
/// Abuse limits on the download path: clients whose download requests keep ending in 404 or 410
/// get 429 for a while (see <see cref="MissedDownloadLimiter"/>). The admin API's per-key rate limit
/// is wired with the admin API (Admin/AdminRateLimiting).
/// </summary>
internal static class AbuseLimits
{
    public static WebApplicationBuilder AddAbuseLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MissedDownloadLimiter>();
        return builder;
    }

    /// <summary>The endpoint filter for the download endpoints.</summary>
    public static TBuilder LimitMissedDownloads<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.AddEndpointFilter(static async (context, next) =>
        {
            var http = context.HttpContext;
            var limiter = http.RequestServices.GetRequiredService<MissedDownloadLimiter>();
            if (!limiter.Enabled)
            {
                return await next(context).ConfigureAwait(false);
            }

            var client = ClientAddress.Of(http);
            if (limiter.IsBlocked(client, out var retryAfter))
            {
                // Refused before the store is asked: a blocked guesser costs a dictionary lookup.
                var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await DownloadResponses.WriteAsync(
                    http,
                    StatusCodes.Status429TooManyRequests,
                    $"Too many requests for links that do not exist or have ended. Please try again in {seconds} seconds.").ConfigureAwait(false);
                return Results.Empty;
            }

            var result = await next(context).ConfigureAwait(false);
            if (http.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status410Gone)
            {
                limiter.RecordMiss(client);
            }

            return result;
        });
}
