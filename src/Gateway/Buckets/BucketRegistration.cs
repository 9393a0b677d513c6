using Gateway.Hosting;
using Gateway.Telemetry;
using Microsoft.Extensions.Options;

namespace Gateway.Buckets;

internal static class BucketRegistration
{
    /// <summary>The bucket registry, and the background refresh of temporary credentials with its logs and metrics.</summary>
    public static WebApplicationBuilder AddBuckets(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(services =>
        {
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Buckets.Credentials");
            var metrics = services.GetRequiredService<GatewayMetrics>();
            return new BucketRegistry(
                services.GetRequiredService<IOptions<GatewayOptions>>(),
                services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<IConfiguration>(),
                alias => new CredentialsRefreshLog(alias, logger, metrics));
        });
        builder.Services.AddHostedService<CredentialsRefreshService>();
        return builder;
    }
}
