using StackExchange.Redis;

namespace Gateway.Links;

/// <summary>What the limiter decided for one download request.</summary>
internal enum CountResult
{
    /// <summary>A new session; it was counted against the limit.</summary>
    Counted,

    /// <summary>
    /// A new session, counted, and its count was the link's last allowed one: the one request (across
    /// every replica) that may announce the link as used up, once its count stands.
    /// </summary>
    CountedLast,

    /// <summary>A request of a session already counted (a range, a resume): free.</summary>
    SameSession,

    /// <summary>The limit is reached and this is a new session.</summary>
    Exhausted,

    /// <summary>The link was revoked or deleted between lookup and count.</summary>
    Gone,
}

/// <summary>
/// Download limits that count right across replicas: the check and the increment are one Lua
/// script on the link's own slot, so 50 concurrent first-time clients against a limit of 5 get
/// exactly 5 downloads. A session (client IP + User-Agent, within the session window) counts once.
/// A download is admitted only once a replica holds the count (<see cref="ReplicatedWrites"/>): a
/// count that died with a crashed primary would let the promoted replica serve the link once more.
/// </summary>
internal sealed class DownloadLimiter(IConnectionMultiplexer redis, ReplicatedWrites writes)
{
    /// <summary>
    /// KEYS: link hash, sessions zset. ARGV: now (ms), session id, window (ms). Returns 2 counted and
    /// last, 1 counted, 0 same session, -1 gone, -2 revoked, -3 exhausted. "Last" is decided here, in
    /// the step that counts, so of concurrent downloads on any number of replicas exactly one sees it;
    /// the session that took it is noted (<c>exhaustedBy</c>) so only a count that stands announces it.
    /// A same-session answer still writes (the PEXPIRE): a write makes the WAIT after it cover everything
    /// the primary had applied before, the count of that session too, even when another replica of the
    /// gateway made it and its own WAIT has not returned.
    /// </summary>
    private const string CountScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        if redis.call('HGET', KEYS[1], 'state') == 'revoked' then return -2 end
        local now = tonumber(ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[3]))
        if redis.call('ZSCORE', KEYS[2], ARGV[2]) then
          redis.call('PEXPIRE', KEYS[2], ARGV[3])
          return 0
        end
        local max = tonumber(redis.call('HGET', KEYS[1], 'maxDownloads'))
        local used = tonumber(redis.call('HGET', KEYS[1], 'used') or '0')
        if max and used >= max then return -3 end
        redis.call('HINCRBY', KEYS[1], 'used', 1)
        redis.call('ZADD', KEYS[2], now, ARGV[2])
        redis.call('PEXPIRE', KEYS[2], ARGV[3])
        if max and used + 1 == max and redis.call('HSETNX', KEYS[1], 'exhaustedBy', ARGV[2]) == 1 then return 2 end
        return 1
        """;

    /// <summary>
    /// Gives a count back when the counted request delivered no object (304, 412, 416, upstream error).
    /// A given-back last count was never announced, so its note goes too and the next last count announces.
    /// </summary>
    private const string ReleaseScript = """
        if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 and redis.call('EXISTS', KEYS[1]) == 1 then
          redis.call('HINCRBY', KEYS[1], 'used', -1)
          if redis.call('HGET', KEYS[1], 'exhaustedBy') == ARGV[1] then redis.call('HDEL', KEYS[1], 'exhaustedBy') end
        end
        return 1
        """;

    private IDatabase Db => redis.GetDatabase();

    /// <exception cref="ReplicaNotConfirmedException">Counted (or found counted) on the primary, but not confirmed by a replica: not admitted.</exception>
    public async Task<CountResult> TryCountAsync(string code, string sessionId, DateTimeOffset now, TimeSpan window)
    {
        var link = RedisKeys.Link(code);
        var nodes = writes.NodesOf(link);
        var result = (long)await writes.Database.ScriptEvaluateAsync(
            CountScript,
            [link, RedisKeys.Sessions(code)],
            [now.ToUnixTimeMilliseconds(), sessionId, (long)window.TotalMilliseconds]).ConfigureAwait(false);
        if (result is 0 or 1 or 2)
        {
            // Refusals need no confirmation: a lost one only makes a later answer more generous, never the limit.
            await writes.ConfirmAsync(nodes).ConfigureAwait(false);
        }

        return result switch
        {
            2 => CountResult.CountedLast,
            1 => CountResult.Counted,
            0 => CountResult.SameSession,
            -3 => CountResult.Exhausted,
            _ => CountResult.Gone,
        };
    }

    /// <summary>For requests that must not count (HEAD): is this client inside a live session?</summary>
    public async Task<bool> HasSessionAsync(string code, string sessionId, DateTimeOffset now, TimeSpan window)
    {
        var started = await Db.SortedSetScoreAsync(RedisKeys.Sessions(code), sessionId).ConfigureAwait(false);
        return started is { } startedAt && startedAt > now.ToUnixTimeMilliseconds() - window.TotalMilliseconds;
    }

    public Task ReleaseAsync(string code, string sessionId) =>
        Db.ScriptEvaluateAsync(ReleaseScript, [RedisKeys.Link(code), RedisKeys.Sessions(code)], [sessionId]);
}
