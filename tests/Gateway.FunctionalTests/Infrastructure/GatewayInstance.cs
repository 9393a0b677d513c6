using System.Globalization;

namespace Gateway.FunctionalTests.Infrastructure;

/// <summary>One gateway process-in-a-test: the real application on Kestrel at 127.0.0.1:0.</summary>
public sealed class GatewayInstance : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private GatewayInstance(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = System.Net.DecompressionMethods.None })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromMinutes(5),
        };
    }

    public Uri BaseAddress { get; }

    /// <summary>A plain client: no redirects followed, no cookies, no decompression.</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<GatewayInstance> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var args = new List<string> { "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.AspNetCore=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning" };
        foreach (var (key, value) in settings)
        {
            args.Add(string.Create(CultureInfo.InvariantCulture, $"--{key}={value}"));
        }

        var app = GatewayApplication.Create([.. args]);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Urls.First();
        return new GatewayInstance(app, new Uri(address));
    }

    public HttpClient CreateClient(string? bearer = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = BaseAddress };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        }

        return client;
    }

    /// <summary>Stops the gateway. Idempotent, so a test may stop one mid-test (a restart) that its environment disposes again.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Client.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
