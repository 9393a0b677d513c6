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

    /// <summary>
    /// The link as the download path needs it, in one round trip (see <see cref="LinkHash.DownloadFields"/>):
    /// no owner, note or tags, and no creation time.
    /// </summary>
    Task<Link?> GetForDownloadAsync(string code);

    /// <summary>
    /// Several links as <see cref="GetForDownloadAsync(string)"/> reads them (null for none), sent
    /// together in one pipelined batch: one round trip however many there are.
    /// </summary>
    Task<Link?[]> GetForDownloadAsync(IReadOnlyList<string> codes);

    Task<LinkCounters> GetCountersAsync(string code);

    /// <summary>Changes the state; false when the link does not exist. A revocation is noted in the <see cref="LinkChangeLog"/> and published.</summary>
    Task<bool> SetStateAsync(string code, LinkState state);

    /// <summary>Removes the link and its counters for good; false when it did not exist. Noted in the <see cref="LinkChangeLog"/> and published.</summary>
    Task<bool> DeleteAsync(string code);


    /// <summary>Round trip to the store, for readiness.</summary>
    Task<TimeSpan> PingAsync();

    /// <summary>
    /// Rewrites the named fields (<see cref="LinkHash"/> names) of an existing link to their values in
    /// <paramref name="updated"/>, removing those that are now empty, in one atomic step that touches
    /// neither the download count nor the state. It applies only while the fields the caller's checks
    /// relied on still hold <paramref name="current"/>'s values; a changed expiry moves the store's expiry mirror too
    /// and is noted in the <see cref="LinkChangeLog"/>.
    /// </summary>
    Task<LinkUpdateResult> TryUpdateAsync(Link current, Link updated, IReadOnlyCollection<string> fields);

    /// <summary>
    /// Up to <paramref name="count"/> links of the index, newest first, starting after
    /// <paramref name="after"/> (from the newest when null). An entry whose link is gone (expired out of
    /// the store, or deleted) comes back with a null link, so a caller's position still advances past it.
    /// </summary>
    Task<IReadOnlyList<IndexedLink>> ReadIndexAsync(LinkIndexPosition? after, int count);

    /// <summary>The counters of several links, in one pipelined round trip.</summary>
    Task<LinkCounters[]> GetCountersAsync(IReadOnlyList<string> codes);
}

internal enum LinkUpdateResult
{
    Updated,
    NotFound,

    /// <summary>Someone changed a field the update was checked against; read again and retry.</summary>
    Conflict,
}

/// <summary>A place in the link index (newest first): the creation time in Unix milliseconds, then the code for links created in the same millisecond.</summary>
internal readonly record struct LinkIndexPosition(long CreatedAt, string Code);

/// <summary>An index entry and its link; null when the link no longer exists.</summary>
internal sealed record IndexedLink(LinkIndexPosition Position, Link? Link);
