using Gateway.Abuse;
using Gateway.Admin;
using Gateway.Buckets;
using Gateway.WebConsole;
using Gateway.Demo;
using Gateway.Downloads;
using Gateway.Hosting;
using Gateway.Links;
using Gateway.Metering;
using Gateway.Telemetry;
using Gateway.Webhooks;

namespace Gateway;

/// <summary>The whole application, one line per concern. Program.cs runs it; tests host it on real sockets.</summary>
public static class GatewayApplication
{
    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddGatewayConfiguration(args);
        builder.AddDemoModeWhenUnconfigured();
        builder.AddGatewayTelemetry();
        builder.AddKestrelLimits();
        builder.AddGracefulShutdown();
        builder.AddTrustedProxies();
        builder.AddBuckets();
        builder.AddLinkStore();
        builder.AddMetering();
        builder.AddDownloads();
        builder.AddAdminApi();
        builder.AddAbuseLimits();
        builder.AddWebhooks();
        builder.AddWebhookEvents();
        builder.AddConsole();

        var app = builder.Build();
        app.UseTrustedProxies();
        // Explicitly here, after the forwarded headers (WebApplication would otherwise route first):
        // the download endpoints short-circuit in routing and must already see the client's address.
        app.UseRouting();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.MapHealthEndpoints();
        app.MapGatewayTelemetry();
        app.MapAdminApi();
        app.MapStatsApi();
        app.MapWebhooksApi();
        app.MapConsole();
        app.MapDownloads();
        return app;
    }
}
