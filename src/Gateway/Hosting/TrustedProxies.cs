using Gateway.Downloads;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Gateway.Hosting;

internal static class TrustedProxies
{
    /// <summary>
    /// X-Forwarded-For is honoured only from the configured proxies. ASP.NET trusts loopback by
    /// default; that default is cleared, so with nothing configured no header can move the client IP
    /// (a spoofed header must not get past an IP rule).
    /// </summary>
    public static WebApplicationBuilder AddTrustedProxies(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<GatewayOptions>>((forwarded, gateway) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.ForwardLimit = null;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // The obsolete list still holds the loopback default and is still consulted.
            forwarded.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
            foreach (var proxy in gateway.Value.TrustedProxies)
            {
                if (ClientAddress.TryParseNetwork(proxy, out var network))
                {
                    forwarded.KnownIPNetworks.Add(network);
                }
            }
        });
        return builder;
    }

    /// <summary>
    /// Adds the forwarded-headers middleware only when proxies are configured: with empty known
    /// lists the middleware skips its peer check and believes every X-Forwarded-For (a functional
    /// test caught exactly that).
    /// </summary>
    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.TrustedProxies.Length > 0)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }
}
