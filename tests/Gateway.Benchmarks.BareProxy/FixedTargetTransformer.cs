using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Benchmarks.BareProxy;

/// <summary>YARP's default request transform, then the one presigned path and query instead of the client's.</summary>
internal sealed class FixedTargetTransformer(string pathAndQuery) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        proxyRequest.RequestUri = new Uri(destinationPrefix + pathAndQuery);
        // The origin's own authority, as the signature was made for (the client's Host names the proxy).
        proxyRequest.Headers.Host = null;
    }
}
