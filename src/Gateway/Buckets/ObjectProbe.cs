using System.Net;
using Gateway.Downloads;

namespace Gateway.Buckets;

/// <summary>What a signed HEAD learned about an object.</summary>
internal readonly record struct ObjectProbeResult(HttpStatusCode Status, string? ETag);

/// <summary>
/// A signed HEAD to OSS, for the few places that must know about an object before anyone downloads
/// it: pinning its ETag at link creation, and checking that pin before a redirect.
/// </summary>
internal sealed class ObjectProbe(UpstreamClient upstream)
{
    public async Task<ObjectProbeResult> HeadAsync(OssBucket bucket, string key, string? versionId, CancellationToken cancellationToken)
    {
        IReadOnlyList<KeyValuePair<string, string>>? query = versionId is null ? null : [new("versionId", versionId)];
        using var request = new HttpRequestMessage(HttpMethod.Head, bucket.Endpoint.BuildObjectUri(key, query));
        bucket.Signer.SignRequest(request, key, query);
        using var response = await upstream.Invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return new ObjectProbeResult(response.StatusCode, response.Headers.ETag?.Tag);
    }
}
