using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Admin;

/// <summary>A configured API key, known only by the SHA-256 of its secret.</summary>
internal sealed record ApiKey(string Name, FrozenSet<string> Scopes);

/// <summary>
/// Looks API keys up by the SHA-256 of the presented bearer token. The keys themselves are never
/// stored; a lookup by hash also makes the comparison independent of how much of a guess was right.
/// </summary>
internal sealed class ApiKeyRegistry
{
    private readonly FrozenDictionary<string, ApiKey> _byHash;

    public ApiKeyRegistry(IOptions<GatewayOptions> options)
    {
        var byHash = new Dictionary<string, ApiKey>(StringComparer.Ordinal);
        foreach (var (name, key) in options.Value.Admin.ApiKeys)
        {
            byHash[key.Sha256] = new ApiKey(name, key.Scopes.ToFrozenSet(StringComparer.Ordinal));
        }

        _byHash = byHash.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public ApiKey? Find(string presentedKey) => _byHash.GetValueOrDefault(HashHex(presentedKey));

    public static string HashHex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
