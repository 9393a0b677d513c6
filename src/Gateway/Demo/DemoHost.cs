using System.Net;
using System.Text;
using Gateway.Buckets;
using Gateway.Hosting;
using Gateway.Links;
using LocalOss;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Gateway.Demo;

/// <summary>Runs LocalOss beside the gateway, seeds the sample, and prints how to use it.</summary>
internal sealed partial class DemoHost(
    DemoSettings settings,
    IOptions<GatewayOptions> options,
    IOptions<WebConsole.ConsoleOptions> console,
    BucketRegistry buckets,
    ILinkStore links,
    TimeProvider time,
    IServer server,
    IHostApplicationLifetime lifetime,
    ILogger<DemoHost> logger) : IHostedService, IAsyncDisposable
{
    private const string SampleText = """
        Hello from Gateway!

        These bytes live in a private bucket of LocalOss, the OSS-compatible server the demo runs
        beside the gateway. The gateway looked the short link up in its store, signed the request
        with OSS Signature V4, and streamed the object to you without buffering it.

        Revoke the link through the admin API and this address answers 410 Gone at once.
        """;

    private LocalOssHost? _localOss;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _localOss = await LocalOssHost.StartAsync(
            new LocalOssOptions
            {
                Root = Path.GetFullPath(Path.Combine(options.Value.DataDirectory, "oss")),
                AccessKeyId = settings.AccessKeyId,
                AccessKeySecret = settings.AccessKeySecret,
                Region = DemoMode.Region,
            },
            settings.LocalOssUrl,
            cancellationToken).ConfigureAwait(false);

        await SeedAsync(cancellationToken).ConfigureAwait(false);
        lifetime.ApplicationStarted.Register(PrintInstructions);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_localOss is not null)
        {
            await _localOss.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        buckets.TryGet(DemoMode.BucketAlias, out var bucket);
        using var http = new HttpClient();

        // Through the real protocol, signed like any client would, so the demo exercises what it shows.
        using (var createBucket = new HttpRequestMessage(HttpMethod.Put, bucket!.Endpoint.BuildObjectUri("")))
        {
            bucket.Signer.SignRequest(createBucket, "");
            using var response = await http.SendAsync(createBucket, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.Conflict)
            {
                throw new InvalidOperationException($"Demo: LocalOss refused to create the bucket ({(int)response.StatusCode}).");
            }
        }

        using (var putObject = new HttpRequestMessage(HttpMethod.Put, bucket.Endpoint.BuildObjectUri(DemoMode.SampleKey)))
        {
            putObject.Content = new StringContent(SampleText, Encoding.UTF8, "text/plain");
            bucket.Signer.SignRequest(putObject, DemoMode.SampleKey);
            using var response = await http.SendAsync(putObject, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
        }

        var created = await links.TryCreateAsync(new Link
        {
            Code = DemoMode.SampleCode,
            Bucket = DemoMode.BucketAlias,
            Key = DemoMode.SampleKey,
            CreatedAt = time.GetUtcNow(),
            Owner = "demo",
            Note = "Seeded by demo mode.",
        }).ConfigureAwait(false);
        if (!created)
        {
            // A link from an earlier run may have been revoked while playing; the demo starts fresh.
            await links.SetStateAsync(DemoMode.SampleCode, LinkState.Active).ConfigureAwait(false);
        }
    }

    private void PrintInstructions()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5000";
        var baseUrl = address.Replace("://[::]", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
            .Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://*", "://localhost", StringComparison.Ordinal)
            .TrimEnd('/');
        Log.DemoReady(logger);
        Console.WriteLine(Instructions(baseUrl, settings, Path.GetFullPath(options.Value.DataDirectory), console.Value.Enabled));
    }

    /// <summary>What demo mode prints once the gateway listens: how to download, the admin key and, beside it, the console.</summary>
    internal static string Instructions(string baseUrl, DemoSettings settings, string dataDirectory, bool consoleEnabled)
    {
        var consoleLines = consoleEnabled
            ? $"""


                 Web console (sign in with that key):
                   {baseUrl}{WebConsole.ConsoleEndpoints.Path}/
                """
            : "";
        return $"""

            ================================================================================
             Gateway demo mode: no bucket is configured, so a LocalOss runs beside the gateway
             ({settings.LocalOssUrl}, data in {dataDirectory}).

             Download the sample through its short link:
               curl -fsS {baseUrl}/{DemoMode.SampleCode}

             Admin API key for this run (all scopes):
               {settings.AdminKey}{consoleLines}

             Create a link of your own:
               curl -fsS -X POST {baseUrl}/api/v1/links -H 'Authorization: Bearer {settings.AdminKey}' -H 'Content-Type: application/json' -d '{"{"}"bucket":"{DemoMode.BucketAlias}","key":"{DemoMode.SampleKey}"{"}"}'
            ================================================================================

            """;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Demo mode ready")]
        public static partial void DemoReady(ILogger logger);
    }
}
