using System.Globalization;

namespace Gateway.FunctionalTests.Telemetry;

/// <summary>
/// A gateway on 127.0.0.1:0 like <see cref="Infrastructure.GatewayInstance"/>, with a hook that runs
/// between building the application and starting it (to add a log provider, say).
/// </summary>
internal sealed class ObservedGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private ObservedGateway(WebApplication app)
    {
        _app = app;
        BaseAddress = new Uri(app.Urls.First());
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = BaseAddress };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<ObservedGateway> StartAsync(IReadOnlyDictionary<string, string?> settings, Action<WebApplication>? beforeStart = null)
    {
        var args = new List<string> { "--urls=http://127.0.0.1:0" };
        foreach (var (key, value) in settings)
        {
            args.Add(string.Create(CultureInfo.InvariantCulture, $"--{key}={value}"));
        }

        var app = GatewayApplication.Create([.. args]);
        beforeStart?.Invoke(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new ObservedGateway(app);
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

    /// <summary>Stops and disposes the application; its telemetry providers flush what they hold on the way.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Client.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
