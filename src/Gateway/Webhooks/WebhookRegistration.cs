using Microsoft.Extensions.Options;

namespace Gateway.Webhooks;

internal static class WebhookRegistration
{
    /// <summary>
    /// Signed lifecycle webhooks: the publisher the rest of the gateway raises events through, the outbox
    /// writer and the dispatcher (background services), and the endpoints' cache.
    /// </summary>
    public static WebApplicationBuilder AddWebhooks(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>();
        services.AddOptions<WebhookOptions>().Bind(builder.Configuration.GetSection(WebhookOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookEndpointCache>();
        services.AddHostedService(static services => services.GetRequiredService<WebhookEndpointCache>());
        services.AddSingleton<WebhookPublisher>();
        services.AddSingleton<IWebhookPublisher>(static services => services.GetRequiredService<WebhookPublisher>());
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<WebhookOutboxWriter>();
        services.AddHostedService(static services => services.GetRequiredService<WebhookOutboxWriter>());
        services.AddHostedService(static services => services.GetRequiredService<WebhookDispatcher>());
        services.AddAuthorizationBuilder()
            .AddPolicy(Admin.ApiScopes.Webhooks, policy => policy.RequireClaim(Admin.ApiScopes.ClaimType, Admin.ApiScopes.Webhooks));
        return builder;
    }
}
