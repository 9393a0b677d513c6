using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Gateway.Downloads;
using Gateway.Hosting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Gateway.Admin;

/// <summary>
/// Requests to <c>/api/...</c> are limited per API key (fixed windows of <c>Gateway:Abuse:Admin:Window</c>
/// with <c>Limit</c> requests each), so one runaway script cannot starve the store for everyone.
/// Requests without a valid key are limited per client IP instead, which also slows key guessing.
/// A global limiter (rather than a policy on one group) covers every admin endpoint, whichever
/// feature maps it. Counts are per replica, in memory: N replicas allow up to N times the limit.
/// </summary>
internal static class AdminRateLimiting
{
    public static IServiceCollection AddAdminRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<GatewayOptions>>((limiter, gateway) =>
        {
            var settings = gateway.Value.Abuse.Admin;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (settings.Limit == 0 || !context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
                {
                    return RateLimitPartition.GetNoLimiter("");
                }

                var partition = context.User.Identity?.IsAuthenticated == true
                    ? "key:" + context.User.FindFirstValue(ClaimTypes.Name)
                    : "ip:" + ClientAddress.Of(context);
                return RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = settings.Limit,
                    Window = settings.Window,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = static (rejected, cancellationToken) =>
            {
                var context = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                    ? wait
                    : context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.Abuse.Admin.Window;
                var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                context.Response.Headers.CacheControl = "no-store";
                return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = $"Too many requests to the admin API from this API key (or, without a valid key, from this address); try again in {seconds} seconds.",
                    },
                });
            };
        });
        return services;
    }
}
