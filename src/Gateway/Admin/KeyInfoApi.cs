using System.Security.Claims;
using Gateway.Buckets;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Admin;

/// <summary>
/// <c>GET /api/v1/me</c>: what the presented API key may do: its name, scopes, the configured buckets it
/// may use, its key prefixes and the limits on links it makes. Any valid key may ask (no scope is
/// needed to learn one's own rights), so a client such as the console offers only what will be allowed
/// instead of finding out from 403s. It reveals no other key and no bucket outside the key's scope.
/// </summary>
internal static class KeyInfoApi
{
    public static RouteGroupBuilder MapKeyInfo(this RouteGroupBuilder api)
    {
        api.MapGet("/me", Get)
            .WithTags("Keys")
            .RequireAuthorization()
            .WithName("GetApiKeyInfo")
            .WithSummary("The calling API key: its name, scopes, buckets, key prefixes and limits")
            .WithDescription("buckets lists the configured bucket aliases the key may use (all of them when it is not limited to some). " +
                "maxLinkLifetimeSeconds and maxDownloads, when set, bound every link the key creates or changes. Any valid key; no scope needed.");
        return api;
    }

    private static Ok<ApiKeyInfoResponse> Get(HttpContext context, ApiKeyRegistry keys, BucketRegistry buckets)
    {
        var user = context.User;
        var scope = keys.ScopeOf(user);
        var scopes = new List<string>();
        foreach (var claim in user.FindAll(ApiScopes.ClaimType))
        {
            scopes.Add(claim.Value);
        }

        scopes.Sort(StringComparer.Ordinal);
        var usable = new List<string>();
        foreach (var alias in buckets.Aliases)
        {
            if (scope.Buckets is null || scope.Buckets.Contains(alias))
            {
                usable.Add(alias);
            }
        }

        usable.Sort(StringComparer.Ordinal);
        var name = user.FindFirstValue(ClaimTypes.Name) ?? "";
        return TypedResults.Ok(new ApiKeyInfoResponse(
            name,
            scopes,
            usable,
            scope.Buckets is null,
            scope.KeyPrefixes,
            scope.MaxLinkLifetime is { } lifetime ? (long)lifetime.TotalSeconds : null,
            scope.MaxDownloads,
            keys.FindByName(name)?.ExpiresAt));
    }
}

/// <summary>
/// The answer of <c>GET /api/v1/me</c>. <c>allBuckets</c> is true when the key is not limited to some
/// buckets (it may then also use buckets configured later); <c>keyPrefixes</c> is empty when every key is allowed.
/// </summary>
internal sealed record ApiKeyInfoResponse(
    string Name,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> Buckets,
    bool AllBuckets,
    IReadOnlyList<string> KeyPrefixes,
    long? MaxLinkLifetimeSeconds,
    long? MaxDownloads,
    DateTimeOffset? ExpiresAt);
