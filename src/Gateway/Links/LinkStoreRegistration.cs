using Gateway.Hosting;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Links;

internal static class LinkStoreRegistration
{
    /// <summary>
    /// One shared multiplexer for everything that talks to Redis: the link store and the distributed
    /// cache; and a second connection for the writes that must reach a replica (<see cref="ReplicatedWrites"/>).
    /// Without <c>ConnectionStrings:Redis</c>, an embedded Garnet takes Redis's place.
    /// </summary>
    public static WebApplicationBuilder AddLinkStore(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var connectionString = builder.Configuration.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            services.AddSingleton(sp => new EmbeddedGarnet(
                sp.GetRequiredService<IOptions<GatewayOptions>>().Value.DataDirectory,
                sp.GetRequiredService<ILoggerFactory>()));
        }

        services.AddSingleton(sp =>
        {
            var options = RedisConnectionOptions.Create(string.IsNullOrWhiteSpace(connectionString)
                ? sp.GetRequiredService<EmbeddedGarnet>().ConnectionString
                : connectionString);
            if (!string.IsNullOrEmpty(options.ServiceName))
            {
                SentinelThreadPool.Reserve();
            }

            return options;
        });
        services.AddSingleton<IConnectionMultiplexer>(sp => ConnectionMultiplexer.Connect(sp.GetRequiredService<ConfigurationOptions>()));
        services.AddSingleton<ReplicatedWrites>();
        services.AddSingleton<LinkChangeLog>();
        services.AddSingleton<ILinkStore, RedisLinkStore>();
        services.AddStackExchangeRedisCache(_ => { });
        services.AddOptions<RedisCacheOptions>().Configure<IServiceProvider>((options, sp) =>
            options.ConnectionMultiplexerFactory = () => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>()));
        services.AddHostedService<LinkStoreWarmup>();
        return builder;
    }
}
