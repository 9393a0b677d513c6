using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gateway.Telemetry;

namespace Gateway.Buckets;

/// <summary>
/// Starts the background refresh of every bucket's temporary credentials when the host starts, and waits
/// a little for the first fetches so the first downloads usually find credentials; a source that is down
/// does not stop the gateway from starting (those buckets answer 503 until it recovers).
/// </summary>
internal sealed class CredentialsRefreshService(BucketRegistry buckets, GatewayMetrics metrics, TimeProvider time) : IHostedService
{
    private static readonly TimeSpan FirstFetchWait = TimeSpan.FromSeconds(10);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (buckets.WithRefreshingCredentials.Count == 0)
        {
            return;
        }

        metrics.ObserveCredentialLifetimes(RemainingLifetimes);
        try
        {
            await buckets.StartRefreshingAsync().WaitAsync(FirstFetchWait, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Still fetching: the loops go on in the background and the failures are logged there.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private IEnumerable<Measurement<double>> RemainingLifetimes()
    {
        var now = time.GetUtcNow();
        foreach (var bucket in buckets.WithRefreshingCredentials)
        {
            if (bucket.Credentials is Oss.RefreshingCredentialsProvider { CurrentExpiration: { } expiration })
            {
                yield return new Measurement<double>((expiration - now).TotalSeconds, new TagList { { GatewayMetrics.BucketTag, bucket.Alias } });
            }
        }
    }
}
