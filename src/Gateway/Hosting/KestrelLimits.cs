namespace Gateway.Hosting;

internal static class KestrelLimits
{
    /// <summary>
    /// Limits chosen for a download gateway rather than left to defaults: small request headers
    /// (nothing legitimate sends more), and a minimum request-body rate so slow-loris uploads to
    /// the admin API are cut off. There is deliberately no minimum response rate: a slow client on a
    /// long download is a customer, and backpressure keeps it from costing memory.
    /// </summary>
    public static WebApplicationBuilder AddKestrelLimits(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            var limits = kestrel.Limits;
            limits.MaxRequestHeadersTotalSize = 16 * 1024;
            limits.MaxRequestHeaderCount = 64;
            limits.MaxRequestLineSize = 8 * 1024;
            limits.MaxRequestBodySize = 1024 * 1024;
            limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
            limits.MinRequestBodyDataRate = new(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
            limits.MinResponseDataRate = null;
        });
        return builder;
    }
}
