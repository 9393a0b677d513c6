using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Gateway.Hosting;
using Gateway.Oss;
using Microsoft.Extensions.Options;

namespace Gateway.Buckets;

/// <summary>
/// The buckets of the configuration, by alias, built once at start, with their credentials. It owns the
/// providers that refresh temporary credentials and the HTTP client they fetch with.
/// </summary>
internal sealed class BucketRegistry : IAsyncDisposable
{
    private readonly FrozenDictionary<string, OssBucket> _buckets;
    private readonly List<OssBucket> _refreshing = [];
    private readonly CredentialServices _services;

    /// <param name="options">The gateway's configuration (already validated).</param>
    /// <param name="timeProvider">The clock signatures and refreshes use.</param>
    /// <param name="configuration">Where the default credentials chain reads OSS_* and ALIBABA_CLOUD_* (environment variables, in production).</param>
    /// <param name="observers">Per bucket alias, who hears about refreshes; null: nobody.</param>
    public BucketRegistry(IOptions<GatewayOptions> options, TimeProvider timeProvider, IConfiguration configuration, Func<string, ICredentialsRefreshObserver?>? observers = null)
    {
        var gateway = options.Value;
        _services = new CredentialServices(gateway.Credentials, timeProvider, name => configuration[name]);
        var buckets = new Dictionary<string, OssBucket>(StringComparer.Ordinal);
        foreach (var (alias, settings) in gateway.Buckets)
        {
            var failures = new List<string>();
            var plan = CredentialsPlan.Resolve(alias, settings, name => configuration[name], failures)
                ?? throw new InvalidOperationException(string.Join(" ", failures));
            var credentials = _services.CreateProvider(plan, observers?.Invoke(alias));
            var endpoint = new OssEndpoint(settings.Endpoint!, settings.Bucket, settings.Region, settings.AddressingStyle);
            var bucket = new OssBucket(alias, endpoint, new OssV4Signer(endpoint, credentials, timeProvider), credentials, plan.Type);
            buckets[alias] = bucket;
            if (credentials is RefreshingCredentialsProvider)
            {
                _refreshing.Add(bucket);
            }
        }

        _buckets = buckets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IEnumerable<string> Aliases => _buckets.Keys;

    public IEnumerable<OssBucket> All => _buckets.Values;

    /// <summary>Buckets whose credentials are temporary and refreshed in the background.</summary>
    public IReadOnlyList<OssBucket> WithRefreshingCredentials => _refreshing;

    /// <summary>Aliases of buckets whose temporary credentials have not been fetched once yet.</summary>
    public IReadOnlyList<string> AwaitingFirstCredentials()
    {
        List<string>? waiting = null;
        foreach (var bucket in _refreshing)
        {
            if (!((RefreshingCredentialsProvider)bucket.Credentials).HasFetched)
            {
                (waiting ??= []).Add(bucket.Alias);
            }
        }

        return waiting ?? (IReadOnlyList<string>)[];
    }

    public bool TryGet(string alias, [NotNullWhen(true)] out OssBucket? bucket) => _buckets.TryGetValue(alias, out bucket);

    /// <summary>Starts every refresh loop; completes when each bucket's first fetch has succeeded or failed.</summary>
    public Task StartRefreshingAsync() =>
        Task.WhenAll(_refreshing.Select(bucket => ((RefreshingCredentialsProvider)bucket.Credentials).StartAsync()));

    public async ValueTask DisposeAsync()
    {
        foreach (var bucket in _refreshing)
        {
            await ((RefreshingCredentialsProvider)bucket.Credentials).DisposeAsync().ConfigureAwait(false);
        }

        _services.Dispose();
    }
}
