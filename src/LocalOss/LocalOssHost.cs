using LocalOss.Addressing;
using LocalOss.Faults;
using LocalOss.Hosting;
using LocalOss.Sts;
using LocalOss.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LocalOss;

/// <summary>
/// LocalOss running inside another process (the gateway's demo mode, tests) on a real socket. It reads no
/// configuration files or environment of the host process: everything comes from <see cref="Options"/>.
/// It logs to the console at Warning and above only, so it does not drown the host's own output.
/// </summary>
public sealed class LocalOssHost : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly ObjectStore _store;
    private int _disposed;

    private LocalOssHost(WebApplication app, LocalOssOptions options, Uri baseAddress)
    {
        _app = app;
        _store = app.Services.GetRequiredService<ObjectStore>();
        Options = options;
        BaseAddress = baseAddress;
    }

    /// <summary>The address actually bound, e.g. <c>http://127.0.0.1:40123/</c> for a requested port 0.</summary>
    public Uri BaseAddress { get; }

    public LocalOssOptions Options { get; }

    /// <summary>Faults a test can switch on: 5xx answers now and then, reads that hang before their headers.</summary>
    public LocalOssFaults Faults => _app.Services.GetRequiredService<LocalOssFaults>();

    /// <summary>The absolute directory that holds the buckets.</summary>
    public string RootPath => _store.RootPath;

    /// <summary>Validates <paramref name="options"/>, binds <paramref name="url"/> and starts serving.</summary>
    /// <exception cref="OptionsValidationException">An option is invalid; each failure names its configuration key.</exception>
    public static Task<LocalOssHost> StartAsync(LocalOssOptions options, string url = "http://127.0.0.1:0", CancellationToken cancellationToken = default) =>
        StartCoreAsync(options, stsIssuer: null, url, cancellationToken);

    /// <summary>
    /// Like <see cref="StartAsync(LocalOssOptions, string, CancellationToken)"/>, and also accepts the temporary
    /// credentials <paramref name="stsIssuer"/> mints (access key ids starting with <c>STS.</c>, with their security
    /// token), refusing them as OSS does once they expire or the issuer invalidates them. Hand the same instance to
    /// <see cref="LocalStsServer"/> or <see cref="LocalEcsMetadataServer"/> so LocalOss accepts what they hand out.
    /// </summary>
    /// <exception cref="OptionsValidationException">An option is invalid; each failure names its configuration key.</exception>
    public static Task<LocalOssHost> StartAsync(LocalOssOptions options, LocalStsIssuer stsIssuer, string url = "http://127.0.0.1:0", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stsIssuer);
        return StartCoreAsync(options, stsIssuer, url, cancellationToken);
    }

    private static async Task<LocalOssHost> StartCoreAsync(LocalOssOptions options, LocalStsIssuer? stsIssuer, string url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        LocalOssOptionsValidator.ThrowIfInvalid(options);

        // The empty builder reads no appsettings, environment or command line of the host process.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(LocalOssHost).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().UseUrls(url);
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        if (stsIssuer is not null)
        {
            builder.Services.AddSingleton(stsIssuer);
        }

        builder.AddLocalOssServer();

        var app = builder.Build();
        try
        {
            app.MapLocalOss();
            await app.StartAsync(cancellationToken);
            return new LocalOssHost(app, options, BoundAddress(app));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates a bucket directory (no-op when it exists), without a signed request.</summary>
    public void CreateBucket(string bucket)
    {
        ThrowIfInvalidBucket(bucket);
        _store.CreateBucket(bucket);
    }

    /// <summary>
    /// Sets a bucket's versioning state directly, as PutBucketVersioning would, without a signed request. The
    /// bucket is created when missing. As in OSS, there is no way back to a bucket that never had versioning.
    /// </summary>
    public void SetBucketVersioning(string bucket, LocalOssVersioningStatus status)
    {
        ThrowIfInvalidBucket(bucket);
        if (!Enum.IsDefined(status))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "Versioning is either Enabled or Suspended.");
        }

        _store.CreateBucket(bucket);
        _store.SetVersioning(bucket, status);
    }

    /// <summary>
    /// Stores an object directly, without a signed request: for seeding demo data and test fixtures. The
    /// bucket is created when missing. Returns the quoted ETag, as a PutObject response carries it.
    /// </summary>
    public async Task<string> PutObjectAsync(string bucket, string key, Stream content, string contentType = "application/octet-stream", CancellationToken cancellationToken = default) =>
        (await PutObjectVersionAsync(bucket, key, content, contentType, cancellationToken)).ETag;

    /// <summary>
    /// <see cref="PutObjectAsync"/>, also returning the version id: in a bucket with versioning enabled each call
    /// creates a new version, whose id <c>?versionId=</c> then addresses.
    /// </summary>
    public async Task<LocalOssObjectVersion> PutObjectVersionAsync(string bucket, string key, Stream content, string contentType = "application/octet-stream", CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidBucket(bucket);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        if (!RequestTargetParser.IsValidKey(key))
        {
            throw new ArgumentException("An object key is 1 to 1023 bytes of UTF-8 and does not start with '/' or '\\'.", nameof(key));
        }

        _store.CreateBucket(bucket);
        var result = await _store.PutAsync(bucket, key, content, new ObjectWrite { ContentType = contentType }, cancellationToken);
        if (result.Status != ObjectWriteStatus.Stored)
        {
            throw new InvalidOperationException($"The object could not be stored: {result.Status}.");
        }

        var metadata = result.Metadata!;
        return new LocalOssObjectVersion(metadata.QuotedETag, result.Versioning is null ? null : metadata.VersionIdHeader);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _app.StopAsync();
        }
        finally
        {
            await _app.DisposeAsync();
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

    private static void ThrowIfInvalidBucket(string bucket)
    {
        if (!BucketNames.IsValid(bucket))
        {
            throw new ArgumentException("A bucket name is 3 to 63 lower-case letters, digits and '-', starting and ending with a letter or digit.", nameof(bucket));
        }
    }
}
