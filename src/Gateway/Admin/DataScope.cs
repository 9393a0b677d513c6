using System.Collections.Frozen;
using Gateway.Hosting;

namespace Gateway.Admin;

/// <summary>
/// The data an API key may work on, beside the verbs its scopes allow: bucket aliases, object key
/// prefixes, and the longest-lived and least-limited links it may make. Links outside the scope are
/// invisible to the key (they answer 404 like links that do not exist, so a key cannot probe for codes);
/// making a link or URL outside it is refused with 403 naming the field.
/// </summary>
internal sealed class DataScope
{
    /// <summary>A key with no data restrictions.</summary>
    public static readonly DataScope Everything = new(null, [], null, null);

    /// <summary>No bucket at all: what an unknown principal gets.</summary>
    public static readonly DataScope Nothing = new(FrozenSet<string>.Empty, [], null, null);

    private readonly FrozenSet<string>? _buckets;
    private readonly string[] _keyPrefixes;

    private DataScope(FrozenSet<string>? buckets, string[] keyPrefixes, TimeSpan? maxLinkLifetime, long? maxDownloads)
    {
        _buckets = buckets;
        _keyPrefixes = keyPrefixes;
        MaxLinkLifetime = maxLinkLifetime;
        MaxDownloads = maxDownloads;
    }

    public TimeSpan? MaxLinkLifetime { get; }

    /// <summary>True when the key may see every bucket and key (its limits on new links aside).</summary>
    public bool SeesEverything => _buckets is null && _keyPrefixes.Length == 0;

    public long? MaxDownloads { get; }

    /// <summary>The bucket aliases the key is limited to; null when it may use every bucket.</summary>
    public IReadOnlyCollection<string>? Buckets => _buckets;

    /// <summary>The object key prefixes the key is limited to; empty when it may use every key.</summary>
    public IReadOnlyList<string> KeyPrefixes => _keyPrefixes;

    public static DataScope From(ApiKeyOptions options) => new(
        options.Buckets.Length == 0 ? null : options.Buckets.ToFrozenSet(StringComparer.Ordinal),
        [.. options.KeyPrefixes],
        options.MaxLinkLifetime,
        options.MaxDownloads);

    /// <summary>True when the key may see and change objects (and links to them) at this bucket alias and key.</summary>
    public bool Covers(string bucket, string key) => CoversBucket(bucket) && CoversKey(key);

    /// <summary>Refuses a target outside the scope, naming the field that is out of bounds.</summary>
    public void CheckTarget(string bucket, string key, Dictionary<string, string[]> errors)
    {
        if (!CoversBucket(bucket))
        {
            errors["bucket"] = [$"This API key may not use bucket '{bucket}'."];
        }
        else if (!CoversKey(key))
        {
            errors["key"] = [$"This API key may only use keys starting with {string.Join(" or ", _keyPrefixes.Select(static prefix => $"'{prefix}'"))}."];
        }
    }

    /// <summary>A link's expiry against <see cref="MaxLinkLifetime"/>: required, and no later than now plus the lifetime.</summary>
    public void CheckExpiry(DateTimeOffset? expiresAt, DateTimeOffset now, Dictionary<string, string[]> errors)
    {
        if (MaxLinkLifetime is not { } lifetime)
        {
            return;
        }

        if (expiresAt is null)
        {
            errors["expiresAt"] = [$"This API key's links must expire, at most {lifetime} from now."];
        }
        else if (expiresAt.Value - now > lifetime)
        {
            errors["expiresAt"] = [$"This API key's links may live at most {lifetime}: expire by {(now + lifetime).UtcDateTime:O}."];
        }
    }

    /// <summary>A link's download limit against <see cref="MaxDownloads"/>: required, and no more than it.</summary>
    public void CheckMaxDownloads(long? maxDownloads, Dictionary<string, string[]> errors)
    {
        if (MaxDownloads is { } max && (maxDownloads is null || maxDownloads > max))
        {
            errors["maxDownloads"] = [$"This API key's links must set maxDownloads, at most {max}."];
        }
    }

    /// <summary>A presigned URL cannot be revoked, so it lives no longer than a link this key could make.</summary>
    public void CheckPresignLifetime(TimeSpan expires, Dictionary<string, string[]> errors)
    {
        if (MaxLinkLifetime is { } lifetime && expires > lifetime)
        {
            errors["expires"] = [$"This API key may presign for at most {(long)lifetime.TotalSeconds} seconds."];
        }
    }

    private bool CoversBucket(string bucket) => _buckets is null || _buckets.Contains(bucket);

    private bool CoversKey(string key)
    {
        if (_keyPrefixes.Length == 0)
        {
            return true;
        }

        foreach (var prefix in _keyPrefixes)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
