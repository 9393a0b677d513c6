namespace Gateway.Links;

/// <summary>
/// Where links and their counters live. Every call goes to the shared store (Redis or the embedded
/// Garnet): there is deliberately no in-process cache, so a revoked link can never start a download.
/// Calls throw <see cref="StackExchange.Redis.RedisException"/> (or a subclass) when the store is unreachable.
/// </summary>
internal interface ILinkStore
{
    /// <summary>Stores the link unless its code is taken; false when it is. Atomic.</summary>
    Task<bool> TryCreateAsync(Link link);

    Task<Link?> GetAsync(string code);

    Task<LinkCounters> GetCountersAsync(string code);

    /// <summary>Changes the state; false when the link does not exist.</summary>
    Task<bool> SetStateAsync(string code, LinkState state);

    /// <summary>Removes the link and its counters for good; false when it did not exist.</summary>
    Task<bool> DeleteAsync(string code);

    /// <summary>Adds to the link's counters.</summary>
    Task AddToCountersAsync(string code, long downloads, long bytes);

    /// <summary>Round trip to the store, for readiness.</summary>
    Task<TimeSpan> PingAsync();
}
