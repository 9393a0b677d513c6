using StackExchange.Redis;

namespace Gateway.Links;

/// <summary>
/// Key layout. The code sits in a hash tag (<c>{code}</c>) so all keys of one link share a Redis
/// Cluster slot and one script may touch them together (PITFALLS 17).
/// </summary>
internal static class RedisKeys
{
    /// <summary>Sorted set of all codes by creation time, for listing.</summary>
    public static readonly RedisKey LinkIndex = "gw:links";

    /// <summary>Under Sentinel, the counter that fences link reads off a former primary (<see cref="Links.StoreEpoch"/>).</summary>
    public static readonly RedisKey StoreEpoch = "gw:epoch";

    public static RedisKey Link(string code) => $"gw:{{{code}}}:link";

    public static RedisKey Counters(string code) => $"gw:{{{code}}}:stats";

    /// <summary>Sorted set of the link's live download sessions, scored by their start (ms).</summary>
    public static RedisKey Sessions(string code) => $"gw:{{{code}}}:sessions";

    /// <summary>
    /// The expiry (Unix ms) for which <c>link.expired</c> was sent; in the link's slot, and dropped
    /// with the link's own data (its expiry plus the retention).
    /// </summary>
    public static RedisKey ExpiredNotice(string code) => $"gw:{{{code}}}:expired";
}
