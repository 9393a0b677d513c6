using Gateway.Webhooks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Metering;

internal static class MeteringRegistration
{
    /// <summary>Per-link counters: the buffer the download path reports into and the writer that flushes it to the store.</summary>
    public static WebApplicationBuilder AddMetering(this WebApplicationBuilder builder)
    {
        builder.Services.AddMeteringServices(builder.Configuration.GetSection(MeteringOptions.SectionName));
        return builder;
    }

    /// <summary>The metering services on any container that has a multiplexer, a TimeProvider and <see cref="Telemetry.GatewayMetrics"/>.</summary>
    public static IServiceCollection AddMeteringServices(this IServiceCollection services, IConfiguration section)
    {
        services.AddSingleton<IValidateOptions<MeteringOptions>, MeteringOptionsValidator>();
        services.AddOptions<MeteringOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<MeteringBuffer>();
        services.AddSingleton<MeteringStore>();
        services.AddSingleton<MeteringWriter>();
        services.AddHostedService(static services => services.GetRequiredService<MeteringWriter>());
        // The meter hands finished downloads to the webhook events; with no publisher, nobody listens and it hands nothing.
        services.TryAddSingleton<IWebhookPublisher, NoWebhookPublisher>();
        services.TryAddSingleton<DownloadEventQueue>();
        services.TryAddSingleton<DownloadMeter>();
        return services;
    }
}
