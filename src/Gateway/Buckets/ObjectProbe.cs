using System.Net;
using Gateway.Downloads;
using Gateway.Oss;

namespace Gateway.Buckets;

/// <summary>What a signed HEAD learned about an object.</summary>
internal readonly record struct ObjectProbeResult(HttpStatusCode Status, string? ETag, long? ContentLength = null);

/// <summary>
/// A signed HEAD to OSS, for the few places that must know about an object before anyone downloads
/// it: pinning its ETag at link creation, checking that pin before a redirect, and the size a link
/// preview shows.
/// </summary>
internal sealed class ObjectProbe(UpstreamClient upstream)
{
    /// <exception cref="OssCredentialsUnavailableException">The bucket has no usable credentials.</exception>
    public async Task<ObjectProbeResult> HeadAsync(OssBucket bucket, string key, string? versionId, CancellationToken cancellationToken)
    {
        var result = await SendHeadAsync(bucket, key, versionId, cancellationToken).ConfigureAwait(false);

        // A HEAD answer has no body to tell a refused key from a refused request: any 403 renews the
        // credentials (at most once per few seconds, shared with downloads) and is retried once.
        if (result.Probe.Status == HttpStatusCode.Forbidden
            && await bucket.Credentials.RenewAfterRejectionAsync(result.SignedWith, cancellationToken).ConfigureAwait(false))
        {
            result = await SendHeadAsync(bucket, key, versionId, cancellationToken).ConfigureAwait(false);
        }

        return result.Probe;
    }

    private async Task<(ObjectProbeResult Probe, OssCredentials SignedWith)> SendHeadAsync(OssBucket bucket, string key, string? versionId, CancellationToken cancellationToken)
    {
        IReadOnlyList<KeyValuePair<string, string>>? query = versionId is null ? null : [new("versionId", versionId)];
        using var request = new HttpRequestMessage(HttpMethod.Head, bucket.Endpoint.BuildObjectUri(key, query));
        var credentials = bucket.Credentials.GetCredentials();
        bucket.Signer.SignRequest(request, key, query);
        using var response = await upstream.Invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return (new ObjectProbeResult(response.StatusCode, response.Headers.ETag?.Tag, response.Content.Headers.ContentLength), credentials);
    }
}
