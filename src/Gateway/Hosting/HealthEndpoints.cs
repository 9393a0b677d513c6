using Gateway.Links;
using StackExchange.Redis;

namespace Gateway.Hosting;

internal static class HealthEndpoints
{
    /// <summary>
    /// <c>/healthz</c>: the process serves requests (liveness). <c>/readyz</c>: the link store answers,
    /// so downloads can be resolved (readiness); a replica without its store leaves the load balancer.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("").WithTags("Health");
        health.MapGet("/healthz", static () => TypedResults.Text("ok\n"))
            .WithSummary("Liveness: the process serves requests.");
        health.MapGet("/readyz", static async (ILinkStore store, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            try
            {
                await store.PingAsync().ConfigureAwait(false);
                return Results.Text("ready\n");
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                return Results.Text("link store unreachable\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).WithSummary("Readiness: the link store answers, so downloads can be resolved (503 otherwise).");
        return app;
    }
}
