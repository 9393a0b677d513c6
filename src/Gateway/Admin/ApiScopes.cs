using System.Collections.Frozen;

namespace Gateway.Admin;

/// <summary>What an API key may do. Each admin endpoint requires one scope.</summary>
internal static class ApiScopes
{
    public const string LinksRead = "links:read";
    public const string LinksWrite = "links:write";
    public const string StatsRead = "stats:read";
    public const string Presign = "presign";
    public const string Webhooks = "webhooks";

    /// <summary>The claim type that carries a key's scopes.</summary>
    public const string ClaimType = "scope";

    public static readonly FrozenSet<string> All = FrozenSet.Create(StringComparer.Ordinal, LinksRead, LinksWrite, StatsRead, Presign, Webhooks);
}
