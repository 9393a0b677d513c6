using Microsoft.Extensions.Options;

namespace Gateway.Hosting;

/// <summary>
/// What SIGTERM (a pod being stopped) does, in order: <c>/readyz</c> answers 503 from the first moment
/// (<see cref="HealthEndpoints"/>); everything is still served for <c>Gateway:ShutdownDelay</c>
/// (<see cref="GatewayLifetime"/>); Kestrel stops accepting connections and lets the requests in flight
/// finish for up to <c>Gateway:ShutdownTimeout</c>, then aborts those still running (their clients see a
/// cut connection, never a clean but short 200); the metering buffer is written last
/// (<see cref="Metering.MeteringWriter"/>), so the downloads drained or aborted here are counted too.
/// Kubernetes' <c>terminationGracePeriodSeconds</c> must exceed the delay and the timeout together, or
/// SIGKILL comes first.
/// </summary>
internal static class GracefulShutdown
{
    public static WebApplicationBuilder AddGracefulShutdown(this WebApplicationBuilder builder)
    {
        // The host's stop budget is Kestrel's drain budget: the server gets the whole of it, and the
        // final metering flush does not depend on what is left (MeteringWriter.StoppedAsync).
        builder.Services.AddSingleton<ShutdownAnnouncement>();
        builder.Services.AddSingleton<IHostLifetime, GatewayLifetime>();
        builder.Services.AddOptions<HostOptions>()
            .Configure<IOptions<GatewayOptions>>(static (host, gateway) => host.ShutdownTimeout = gateway.Value.ShutdownTimeout);
        return builder;
    }
}
