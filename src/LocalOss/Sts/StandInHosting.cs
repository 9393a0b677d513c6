using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LocalOss.Sts;

/// <summary>
/// Hosting shared by the credential stand-ins, on the pattern of <see cref="LocalOssHost"/>: an empty builder that reads
/// nothing from the host process, Kestrel on the given URL, console logging at Warning only.
/// </summary>
internal static class StandInHosting
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    public static async Task<(WebApplication App, Uri BaseAddress)> StartAsync(string url, RequestDelegate handler, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(StandInHosting).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().UseUrls(url).ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);

        var app = builder.Build();
        try
        {
            app.Run(handler);
            await app.StartAsync(cancellationToken);
            return (app, BoundAddress(app));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public static async ValueTask StopAsync(WebApplication app)
    {
        try
        {
            await app.StopAsync();
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    private static Uri BoundAddress(WebApplication app)
    {
        foreach (var address in app.Urls)
        {
            return new Uri(address.TrimEnd('/') + "/");
        }

        throw new InvalidOperationException("Kestrel reported no bound address.");
    }
}
