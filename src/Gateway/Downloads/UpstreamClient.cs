using System.Diagnostics;
using System.Net;
using Gateway.Telemetry;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Downloads;

/// <summary>
/// The one connection pool to OSS. An <see cref="HttpMessageInvoker"/>, never an HttpClient, which
/// YARP refuses because it buffers (PITFALLS 1). Its HttpClient instruments come from
/// <see cref="UpstreamMeterFactory"/>, so each download is not timed twice.
/// </summary>
internal sealed class UpstreamClient : IDisposable
{
    public UpstreamClient(UpstreamMeterFactory meters)
    {
        Invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            // Without a lifetime, pooled connections live forever and DNS changes of OSS endpoints are never seen.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
            MeterFactory = meters,
        }, disposeHandler: true);
    }

    public HttpMessageInvoker Invoker { get; }

    public void Dispose() => Invoker.Dispose();
}
