using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

// The folder is Console/ (DESIGN.md names it so), the namespace WebConsole: a namespace Gateway.Console
// would shadow System.Console in every Gateway.* namespace, and Console.WriteLine would stop compiling.
namespace Gateway.WebConsole;

/// <summary>
/// The web console at <c>/console/</c>: a static single-page app that signs in with an API key and works
/// only through the admin API (the key travels as a bearer header from sessionStorage, never in a URL or a
/// cookie). The server's part is to hand out its files with a strict Content-Security-Policy.
/// </summary>
internal static class ConsoleEndpoints
{
    public const string Path = "/console";

    /// <summary>
    /// Scripts, styles, images and connections from this origin only; no inline script or style, no
    /// eval, no plug-ins, no framing, no form posts anywhere. <c>blob:</c> images are the QR codes the
    /// console fetches with its bearer key and shows through an object URL.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static WebApplicationBuilder AddConsole(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConsoleOptions>().Bind(builder.Configuration.GetSection(ConsoleOptions.SectionName)).ValidateOnStart();
        builder.Services.AddSingleton<ConsoleAssets>();
        return builder;
    }

    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<ConsoleOptions>>().Value.Enabled)
        {
            return app;
        }

        var assets = app.ServiceProvider.GetRequiredService<ConsoleAssets>();
        var console = app.MapGroup(Path).ExcludeFromDescription();

        // Static files need no authentication, rate limiting or authorization: the data they show comes
        // from the admin API, which checks the key on every call.
        console.ShortCircuit();

        // The page's relative URLs (js/main.js, ...) must resolve under /console/, so the bare path
        // redirects. Routing matches "/console/" to this route too (a trailing slash is optional there).
        console.MapMethods("", [HttpMethods.Get, HttpMethods.Head], (HttpContext context) =>
        {
            if (context.Request.Path.Value?.EndsWith('/') == true)
            {
                return ServeAsync(assets, "index.html", context);
            }

            context.Response.Headers.CacheControl = "no-store";
            context.Response.Redirect(context.Request.PathBase + Path + "/");
            return Task.CompletedTask;
        });
        console.MapMethods("/{**path}", [HttpMethods.Get, HttpMethods.Head], (string? path, HttpContext context) =>
            ServeAsync(assets, string.IsNullOrEmpty(path) ? "index.html" : path, context));
        return app;
    }

    private static Task ServeAsync(ConsoleAssets assets, string path, HttpContext context)
    {
        var response = context.Response;
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";

        if (!assets.TryGet(path, out var asset))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            headers.CacheControl = "no-store";
            return Task.CompletedTask;
        }

        // Revalidated on every use (cheap: 304 by ETag), so an upgraded gateway never pairs an old page with new scripts.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(asset.Content, context.RequestAborted).AsTask();
    }
}
