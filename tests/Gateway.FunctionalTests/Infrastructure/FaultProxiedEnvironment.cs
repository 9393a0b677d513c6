namespace Gateway.FunctionalTests.Infrastructure;

/// <summary>A <see cref="GatewayTestEnvironment"/> whose gateway reaches the store through a <see cref="TcpFaultProxy"/>.</summary>
public sealed class FaultProxiedEnvironment : IAsyncDisposable
{
    private FaultProxiedEnvironment(GatewayTestEnvironment environment, TcpFaultProxy proxy)
    {
        Environment = environment;
        Proxy = proxy;
    }

    public GatewayTestEnvironment Environment { get; }

    internal TcpFaultProxy Proxy { get; }

    public static async Task<FaultProxiedEnvironment> StartAsync(Action<Dictionary<string, string?>>? configure = null)
    {
        TcpFaultProxy? proxy = null;
        var environment = await GatewayTestEnvironment.StartAsync(settings =>
        {
            proxy = TcpFaultProxy.Start(settings["ConnectionStrings:Redis"]!);
            settings["ConnectionStrings:Redis"] = proxy.ConnectionString;
            configure?.Invoke(settings);
        });
        return new FaultProxiedEnvironment(environment, proxy!);
    }

    public async ValueTask DisposeAsync()
    {
        await Environment.DisposeAsync();
        await Proxy.DisposeAsync();
    }
}
