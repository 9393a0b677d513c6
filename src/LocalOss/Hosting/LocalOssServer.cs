using System.Text;
using LocalOss.Addressing;
using LocalOss.Authentication;
using LocalOss.Buckets;
using LocalOss.Faults;
using LocalOss.Http;
using LocalOss.Objects;
using LocalOss.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LocalOss.Hosting;

/// <summary>The wiring shared by the standalone server (Program.cs) and <see cref="LocalOssHost"/>.</summary>
internal static partial class LocalOssServer
{
    private const string DefaultUrl = "http://127.0.0.1:9000";

    /// <summary>Standalone: options from the <c>LocalOss</c> section (command line, environment), validated at start.</summary>
    public static WebApplicationBuilder AddLocalOssFromConfiguration(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidateOptions<LocalOssOptions>, LocalOssOptionsValidator>();
        builder.Services.AddOptions<LocalOssOptions>().BindConfiguration(LocalOssOptions.SectionName).ValidateOnStart();

        // ASP.NET Core logs every request URL at Information, and presigned URLs carry signatures and STS tokens.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        // DESIGN.md's example port, on loopback: the development keys must not face a network by accident.
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey])
            && string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.HttpPortsKey])
            && string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.HttpsPortsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        return builder.AddLocalOssServer();
    }

    /// <summary>Kestrel limits and the services behind the request delegate. Options must already be registered.</summary>
    public static WebApplicationBuilder AddLocalOssServer(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = ObjectStore.MaxObjectSize;

            // ali-oss and the other SDKs send x-oss-meta-* and sign them as UTF-8.
            kestrel.RequestHeaderEncodingSelector = static _ => Encoding.UTF8;
            kestrel.ResponseHeaderEncodingSelector = static _ => Encoding.UTF8;
        });

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ObjectStore>();
        services.AddSingleton<HostAddressing>();
        services.AddSingleton<CredentialStore>();
        services.AddSingleton<RequestAuthenticator>();
        services.AddSingleton<GetObjectHandler>();
        services.AddSingleton<PutObjectHandler>();
        services.AddSingleton<DeleteObjectHandler>();
        services.AddSingleton<PutBucketHandler>();
        services.AddSingleton<BucketVersioningHandler>();
        services.AddSingleton<OssRequestDispatcher>();
        services.TryAddSingleton<LocalOssFaults>();
        return builder;
    }

    /// <summary>Creates the root directory and routes every request to the OSS dispatcher.</summary>
    public static WebApplication MapLocalOss(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<LocalOssOptions>>().Value;
        var store = app.Services.GetRequiredService<ObjectStore>();
        try
        {
            Directory.CreateDirectory(store.RootPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{LocalOssOptions.SectionName}:Root '{store.RootPath}' cannot be created: {e.Message}", e);
        }

        var dispatcher = app.Services.GetRequiredService<OssRequestDispatcher>();
        var faults = app.Services.GetRequiredService<LocalOssFaults>();
        RequestDelegate serve = dispatcher.HandleAsync;
        app.Run(context => faults.HandleAsync(context, serve));

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LocalOssServer).FullName!);
        LogServing(logger, store.RootPath, options.Region, options.AccessKeyId);
        return app;
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "LocalOss serves buckets under {Root} for region {Region}; access key id {AccessKeyId}")]
    private static partial void LogServing(ILogger logger, string root, string region, string accessKeyId);
}
