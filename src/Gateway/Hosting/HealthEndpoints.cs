using Gateway.Buckets;
using Gateway.Links;
using StackExchange.Redis;

namespace Gateway.Hosting;

internal static class HealthEndpoints
{
    /// <summary>
    /// <c>/healthz</c>: the process serves requests (liveness). <c>/readyz</c>: the link store answers,
    /// so downloads can be resolved, and every bucket's first credentials fetch has succeeded (readiness);
    /// a replica without its store leaves the load balancer. From the moment the host begins to stop
    /// (SIGTERM), <c>/readyz</c> answers 503 whatever else holds (<see cref="GracefulShutdown"/>).
    /// </summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("").WithTags("Health");
        health.MapGet("/healthz", static () => TypedResults.Text("ok\n"))
            .WithSummary("Liveness: the process serves requests.");
        health.MapGet("/readyz", static async (ILinkStore store, BucketRegistry buckets, ShutdownAnnouncement shutdown, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            if (shutdown.IsAnnounced)
            {
                return Results.Text("shutting down\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            if (buckets.AwaitingFirstCredentials() is { Count: > 0 } waiting)
            {
                // A new replica whose first credentials fetch has not succeeded would only answer 503;
                // the replicas already running can serve. (Credentials that expire later do not make a
                // replica unready: every replica shares the source, and failing all would stop every bucket.)
                return Results.Text($"no credentials yet for bucket {string.Join(", ", waiting)}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            try
            {
                await store.PingAsync().ConfigureAwait(false);
                return Results.Text("ready\n");
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                return Results.Text("link store unreachable\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).WithSummary("Readiness: the link store answers, every bucket has had credentials and the process is not stopping, so downloads can be served (503 otherwise).");
        return app;
    }
}
