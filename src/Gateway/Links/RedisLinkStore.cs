using Gateway.Downloads;
using Gateway.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Links;

/// <summary>The link store on Redis (or the embedded Garnet, which speaks the same protocol).</summary>
internal sealed class RedisLinkStore(IConnectionMultiplexer redis, IOptions<GatewayOptions> options) : ILinkStore
{
    /// <summary>
    /// Create-if-absent in one step, so two creators of one vanity code cannot both win; the expiry
    /// mirror (PEXPIREAT, ARGV[1], 0 for none) is set in the same step so no link lives on by accident.
    /// </summary>
    private const string CreateIfAbsentScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], unpack(ARGV, 2))
        local expireAt = tonumber(ARGV[1])
        if expireAt > 0 then
          redis.call('PEXPIREAT', KEYS[1], expireAt)
          redis.call('PEXPIREAT', KEYS[2], expireAt)
        end
        return 1
        """;

    /// <summary>Changes the state only of a link that exists; HSET alone would resurrect a deleted one as a stub.</summary>
    private const string SetStateIfExistsScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], 'state', ARGV[1])
        return 1
        """;

    private static readonly RedisValue DownloadsField = "downloads";
    private static readonly RedisValue BytesField = "bytes";
    private static readonly RedisValue[] CounterFields = [DownloadsField, BytesField];

    private IDatabase Db => redis.GetDatabase();

    public async Task<bool> TryCreateAsync(Link link)
    {
        RedisValue[] arguments = [PurgeAt(link), .. LinkHash.ToFieldValues(link)];
        var created = (long)await Db.ScriptEvaluateAsync(CreateIfAbsentScript, [RedisKeys.Link(link.Code), RedisKeys.Counters(link.Code)], arguments).ConfigureAwait(false);
        if (created == 1)
        {
            await Db.SortedSetAddAsync(RedisKeys.LinkIndex, link.Code, link.CreatedAt.ToUnixTimeMilliseconds()).ConfigureAwait(false);
        }

        return created == 1;
    }

    public async Task<Link?> GetAsync(string code)
    {
        var entries = await Db.HashGetAllAsync(RedisKeys.Link(code)).ConfigureAwait(false);
        return LinkHash.FromEntries(code, entries);
    }

    public async Task<LinkCounters> GetCountersAsync(string code)
    {
        var values = await Db.HashGetAsync(RedisKeys.Counters(code), CounterFields).ConfigureAwait(false);
        return new LinkCounters((long)values[0], (long)values[1]);
    }

    public async Task<bool> SetStateAsync(string code, LinkState state)
    {
        var result = (long)await Db.ScriptEvaluateAsync(SetStateIfExistsScript, [RedisKeys.Link(code)], [LinkHash.Format(state)]).ConfigureAwait(false);
        if (result == 1 && state == LinkState.Revoked)
        {
            await PublishRevocationAsync(code).ConfigureAwait(false);
        }

        return result == 1;
    }

    public async Task<bool> DeleteAsync(string code)
    {
        var deleted = await Db.KeyDeleteAsync([RedisKeys.Link(code), RedisKeys.Counters(code), RedisKeys.Sessions(code)]).ConfigureAwait(false);
        await Db.SortedSetRemoveAsync(RedisKeys.LinkIndex, code).ConfigureAwait(false);
        if (deleted > 0)
        {
            await PublishRevocationAsync(code).ConfigureAwait(false);
        }

        return deleted > 0;
    }

    public Task AddToCountersAsync(string code, long downloads, long bytes)
    {
        // Both increments travel as one transaction so a reader never sees bytes without their download.
        var transaction = Db.CreateTransaction();
        var key = RedisKeys.Counters(code);
        _ = transaction.HashIncrementAsync(key, DownloadsField, downloads);
        _ = transaction.HashIncrementAsync(key, BytesField, bytes);
        return transaction.ExecuteAsync();
    }

    public Task<TimeSpan> PingAsync() => Db.PingAsync();

    /// <summary>Tells every replica to stop the link's in-flight downloads now (best effort; they re-check anyway).</summary>
    private Task PublishRevocationAsync(string code) => redis.GetSubscriber().PublishAsync(RevocationWatcher.Channel, code);

    /// <summary>
    /// When Redis may drop an expired link: its expiry plus the retention, so its counters stay
    /// readable a while (expiry itself is enforced in code, to the millisecond). 0: never.
    /// </summary>
    private long PurgeAt(Link link) =>
        link.ExpiresAt is { } expiresAt ? (expiresAt + options.Value.Links.ExpiredRetention).ToUnixTimeMilliseconds() : 0;
}
