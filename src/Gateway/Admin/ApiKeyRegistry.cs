using System.Collections.Frozen;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Admin;

/// <summary>A configured API key, known only by the SHA-256 of its secret: what it may do, on which data, until when.</summary>
internal sealed record ApiKey(string Name, FrozenSet<string> Scopes, DataScope Data, DateTimeOffset? ExpiresAt);

/// <summary>
/// Looks API keys up by the SHA-256 of the presented bearer token. The keys themselves are never
/// stored; a lookup by hash also makes the comparison independent of how much of a guess was right.
/// </summary>
internal sealed class ApiKeyRegistry
{
    private readonly FrozenDictionary<string, ApiKey> _byHash;
    private readonly FrozenDictionary<string, ApiKey> _byName;

    public ApiKeyRegistry(IOptions<GatewayOptions> options)
    {
        var byHash = new Dictionary<string, ApiKey>(StringComparer.Ordinal);
        foreach (var (name, key) in options.Value.Admin.ApiKeys)
        {
            byHash[key.Sha256] = new ApiKey(name, key.Scopes.ToFrozenSet(StringComparer.Ordinal), DataScope.From(key), key.ExpiresAt);
        }

        _byHash = byHash.ToFrozenDictionary(StringComparer.Ordinal);
        _byName = byHash.Values.ToFrozenDictionary(static key => key.Name, StringComparer.Ordinal);
    }

    public ApiKey? Find(string presentedKey) => _byHash.GetValueOrDefault(HashHex(presentedKey));

    public ApiKey? FindByName(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// The data scope of the key that authenticated the request. Endpoints run only for authenticated
    /// keys; a principal without a known key name gets the empty scope, so a wiring mistake denies rather than allows.
    /// </summary>
    public DataScope ScopeOf(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.Name) is { } name && _byName.TryGetValue(name, out var key) ? key.Data : DataScope.Nothing;

    public static string HashHex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
