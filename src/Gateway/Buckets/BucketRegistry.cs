using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Gateway.Hosting;
using Gateway.Oss;
using Microsoft.Extensions.Options;

namespace Gateway.Buckets;

/// <summary>The buckets of the configuration, by alias, built once at start.</summary>
internal sealed class BucketRegistry
{
    private readonly FrozenDictionary<string, OssBucket> _buckets;

    public BucketRegistry(IOptions<GatewayOptions> options, TimeProvider timeProvider)
    {
        var buckets = new Dictionary<string, OssBucket>(StringComparer.Ordinal);
        foreach (var (alias, settings) in options.Value.Buckets)
        {
            var endpoint = new OssEndpoint(settings.Endpoint!, settings.Bucket, settings.Region, settings.AddressingStyle);
            buckets[alias] = new OssBucket(alias, endpoint, new OssV4Signer(endpoint, CreateCredentials(settings), timeProvider));
        }

        _buckets = buckets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IEnumerable<string> Aliases => _buckets.Keys;

    public bool TryGet(string alias, [NotNullWhen(true)] out OssBucket? bucket) => _buckets.TryGetValue(alias, out bucket);

    private static IOssCredentialsProvider CreateCredentials(BucketOptions settings) =>
        string.IsNullOrEmpty(settings.AccessKeyId)
            ? new EnvironmentCredentialsProvider()
            : new StaticCredentialsProvider(new OssCredentials(settings.AccessKeyId, settings.AccessKeySecret!, settings.SecurityToken));
}
