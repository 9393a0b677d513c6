using StackExchange.Redis;

namespace Gateway.Links;

/// <summary>Connects to the store while the host starts, so the first download does not pay for it.</summary>
internal sealed class LinkStoreWarmup(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<IConnectionMultiplexer>();
        _ = services.GetRequiredService<ReplicatedWrites>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
