using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Webhooks;

internal static class WebhookEventRegistration
{
    /// <summary>
    /// What raises events: the link events of the download path and the download events from the
    /// metering records. Delivery is the publisher's business (<see cref="WebhookRegistration"/>, which also
    /// binds <see cref="WebhookOptions"/>); without one registered, nobody listens and nothing is built.
    /// </summary>
    public static WebApplicationBuilder AddWebhookEvents(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton<IWebhookPublisher, NoWebhookPublisher>();
        services.TryAddSingleton<DownloadEventQueue>();
        services.AddSingleton<DownloadEventWriter>();
        services.AddHostedService(static services => services.GetRequiredService<DownloadEventWriter>());
        services.AddSingleton<LinkEndEvents>();
        services.AddHostedService(static services => services.GetRequiredService<LinkEndEvents>());
        return builder;
    }
}
