using Gateway.Abuse;
using Gateway.Links;
using Gateway.Metering;

namespace Gateway.Downloads;

internal static class DownloadEndpoints
{
    private static readonly string[] Methods = [HttpMethods.Get, HttpMethods.Head];

    public static WebApplicationBuilder AddDownloads(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddHttpForwarder();
        services.AddSingleton<Telemetry.UpstreamMeterFactory>();
        services.AddSingleton<UpstreamClient>();
        services.AddSingleton<OssForwardTransformer>();
        services.AddSingleton<DownloadHandler>();
        services.AddSingleton<DownloadLimiter>();
        services.AddSingleton<RedirectResponder>();
        services.AddSingleton<Buckets.ObjectProbe>();
        services.AddSingleton<InFlightDownloads>();
        services.AddSingleton<PreviewBots>();
        services.AddSingleton<PreviewPage>();
        services.AddHostedService<RevocationWatcher>();
        return builder;
    }

    /// <summary>
    /// <c>/{code}</c> and <c>/{code}/{filename}</c> (the name is cosmetic, for URLs that end in a
    /// file name). Literal routes such as <c>/healthz</c> and <c>/api/...</c> win over these.
    /// </summary>
    public static IEndpointRouteBuilder MapDownloads(this IEndpointRouteBuilder app)
    {
        var handler = app.ServiceProvider.GetRequiredService<DownloadHandler>();
        var misses = app.ServiceProvider.GetRequiredService<MissedDownloadLimiter>();
        Func<HttpContext, Task> serve = handler.HandleAsync;

        // Plain request delegates (no parameter binding, no filter pipeline) that run as soon as
        // routing matched them (ShortCircuit): downloads need none of the authentication,
        // rate-limiting and authorization middleware that the admin API sits behind.
        RequestDelegate download = context => misses.ServeLimitedAsync(context, serve);
        var group = app.MapGroup("").ExcludeFromDescription();
        group.ShortCircuit();
        group.MapMethods("/{code}", Methods, download);
        group.MapMethods("/{code}/{**filename}", Methods, download);
        return app;
    }
}
