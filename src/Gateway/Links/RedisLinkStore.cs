using Gateway.Downloads;
using Gateway.Hosting;
using Gateway.Metering;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Links;

/// <summary>
/// The link store on Redis (or the embedded Garnet, which speaks the same protocol). Reads go over the
/// shared multiplexer; every change goes through <see cref="ReplicatedWrites"/> and is answered only once a
/// replica holds it (where there is one), so no failover can bring back a link that was revoked or deleted.
/// Changes that can stop downloads in flight are also noted in the <see cref="LinkChangeLog"/>.
/// </summary>
internal sealed class RedisLinkStore(
    IConnectionMultiplexer redis,
    ReplicatedWrites writes,
    LinkChangeLog changes,
    IOptions<GatewayOptions> options,
    IOptions<MeteringOptions> metering,
    TimeProvider time) : ILinkStore
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
          -- The counters hash must exist for its expiry to stick; later increments keep the TTL.
          redis.call('HSET', KEYS[2], 'downloads', 0, 'bytes', 0)
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

    /// <summary>
    /// Rewrites some fields of an existing link. KEYS: link hash, counters. ARGV[1]: the expiry mirror
    /// (ms; 0: PERSIST, -1: leave alone); then a count and that many field/expected-value pairs that
    /// must still hold (an absent field reads as ""); then a count and that many field/value pairs to
    /// set; then the fields to delete. Returns 1 updated, 0 no such link, -1 a guarded field changed.
    /// The download count (<c>used</c>) and the state are never among the fields, so a download counted
    /// concurrently, or a revocation, is never lost.
    /// </summary>
    private const string UpdateIfUnchangedScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        local i = 2
        local guards = tonumber(ARGV[i])
        i = i + 1
        for _ = 1, guards do
          if (redis.call('HGET', KEYS[1], ARGV[i]) or '') ~= ARGV[i + 1] then return -1 end
          i = i + 2
        end
        local sets = tonumber(ARGV[i])
        i = i + 1
        if sets > 0 then
          redis.call('HSET', KEYS[1], unpack(ARGV, i, i + 2 * sets - 1))
          i = i + 2 * sets
        end
        if i <= #ARGV then
          redis.call('HDEL', KEYS[1], unpack(ARGV, i))
        end
        local expireAt = tonumber(ARGV[1])
        if expireAt > 0 then
          redis.call('PEXPIREAT', KEYS[1], expireAt)
          redis.call('PEXPIREAT', KEYS[2], expireAt)
        elseif expireAt == 0 then
          redis.call('PERSIST', KEYS[1])
          redis.call('PERSIST', KEYS[2])
        end
        return 1
        """;

    /// <summary>
    /// Drops an index entry whose link is gone, but only while it still has the score it was read
    /// with: a link re-created under the same code meanwhile has a newer score and keeps its entry.
    /// </summary>
    private const string RemoveStaleIndexEntryScript = """
        local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if score and tonumber(score) == tonumber(ARGV[2]) then
          return redis.call('ZREM', KEYS[1], ARGV[1])
        end
        return 0
        """;

    /// <summary>Fields an update is checked against: the link's identity and the fields validated together.</summary>
    private static readonly string[] UpdateGuardFields = [LinkHash.CreatedAt, LinkHash.NotBefore, LinkHash.ExpiresAt, LinkHash.Mode, LinkHash.BindClientIp];

    private static readonly RedisValue DownloadsField = "downloads";
    private static readonly RedisValue BytesField = "bytes";
    private static readonly RedisValue[] CounterFields = [DownloadsField, BytesField];

    private IDatabase Db => redis.GetDatabase();

    public async Task<bool> TryCreateAsync(Link link)
    {
        RedisValue[] arguments = [PurgeAt(link), .. LinkHash.ToFieldValues(link)];
        var key = RedisKeys.Link(link.Code);
        var nodes = writes.NodesOf(key, RedisKeys.LinkIndex);
        var db = writes.Database;
        var created = (long)await db.ScriptEvaluateAsync(CreateIfAbsentScript, [key, RedisKeys.Counters(link.Code)], arguments).ConfigureAwait(false);
        if (created == 1)
        {
            await db.SortedSetAddAsync(RedisKeys.LinkIndex, link.Code, link.CreatedAt.ToUnixTimeMilliseconds()).ConfigureAwait(false);
            await writes.ConfirmAsync(nodes).ConfigureAwait(false);
        }

        return created == 1;
    }

    public async Task<Link?> GetAsync(string code)
    {
        var entries = await Db.HashGetAllAsync(RedisKeys.Link(code)).ConfigureAwait(false);
        return LinkHash.FromEntries(code, entries);
    }

    public async Task<Link?> GetForDownloadAsync(string code)
    {
        if (writes.Epoch.IsFenced)
        {
            // Under Sentinel the read carries the node's epoch (StoreEpoch); the batched read does that.
            return (await GetForDownloadAsync([code]).ConfigureAwait(false))[0];
        }

        var values = await Db.HashGetAsync(RedisKeys.Link(code), LinkHash.DownloadFields).ConfigureAwait(false);
        return LinkHash.FromDownloadFields(code, values);
    }

    public async Task<Link?[]> GetForDownloadAsync(IReadOnlyList<string> codes)
    {
        if (codes.Count == 0)
        {
            return [];
        }

        var batch = Db.CreateBatch();
        var reads = new Task<RedisValue[]>[codes.Count];
        for (var i = 0; i < codes.Count; i++)
        {
            reads[i] = batch.HashGetAsync(RedisKeys.Link(codes[i]), LinkHash.DownloadFields);
        }

        // Under Sentinel, the epoch of the node the links came from, in the same round trip (StoreEpoch).
        var epoch = writes.Epoch.IsFenced ? batch.StringGetAsync(RedisKeys.StoreEpoch) : null;
        batch.Execute();
        await Task.WhenAll(reads).ConfigureAwait(false);
        if (epoch is not null)
        {
            writes.Epoch.Check(await epoch.ConfigureAwait(false));
        }

        var links = new Link?[codes.Count];
        for (var i = 0; i < links.Length; i++)
        {
            links[i] = LinkHash.FromDownloadFields(codes[i], reads[i].Result);
        }

        return links;
    }

    public async Task<LinkCounters> GetCountersAsync(string code)
    {
        var values = await Db.HashGetAsync(RedisKeys.Counters(code), CounterFields).ConfigureAwait(false);
        return new LinkCounters((long)values[0], (long)values[1]);
    }

    public async Task<bool> SetStateAsync(string code, LinkState state)
    {
        var key = RedisKeys.Link(code);
        var nodes = writes.NodesOf(key);
        var result = (long)await writes.Database.ScriptEvaluateAsync(SetStateIfExistsScript, [key], [LinkHash.Format(state)]).ConfigureAwait(false);
        if (result == 1 && state == LinkState.Revoked)
        {
            // Before the confirmation: the primary already refuses the link, so its downloads in flight stop now either way.
            await changes.RecordAsync(code).ConfigureAwait(false);
            await PublishRevocationAsync(code).ConfigureAwait(false);
        }

        if (result == 1)
        {
            await writes.ConfirmAsync(nodes).ConfigureAwait(false);
        }

        return result == 1;
    }

    public async Task<bool> DeleteAsync(string code)
    {
        // The link key decides whether there was a link; its other keys go in the same breath.
        var key = RedisKeys.Link(code);
        var nodes = writes.NodesOf(key, RedisKeys.LinkIndex);
        var db = writes.Database;
        var existed = await db.KeyDeleteAsync(key).ConfigureAwait(false);
        await db.KeyDeleteAsync(KeysOf(code)).ConfigureAwait(false);
        await db.SortedSetRemoveAsync(RedisKeys.LinkIndex, code).ConfigureAwait(false);
        if (existed)
        {
            await changes.RecordAsync(code).ConfigureAwait(false);
            await PublishRevocationAsync(code).ConfigureAwait(false);
        }

        await writes.ConfirmAsync(nodes).ConfigureAwait(false);
        return existed;
    }

    public Task<TimeSpan> PingAsync() => Db.PingAsync();

    /// <summary>
    /// The keys beside a link's own, day series of the retention window included, so a vanity code
    /// created again later starts from nothing. All share the link's hash slot: one DEL.
    /// </summary>
    private RedisKey[] KeysOf(string code)
    {
        var days = metering.Value.RetentionDays;
        var keys = new RedisKey[2 + days];
        keys[0] = RedisKeys.Counters(code);
        keys[1] = RedisKeys.Sessions(code);
        var today = MeteringKeys.DayOf(time.GetUtcNow());
        for (var i = 0; i < days; i++)
        {
            keys[2 + i] = MeteringKeys.LinkDay(code, today.AddDays(-i));
        }

        return keys;
    }

    public async Task<LinkUpdateResult> TryUpdateAsync(Link current, Link updated, IReadOnlyCollection<string> fields)
    {
        var before = ToDictionary(LinkHash.ToFieldValues(current));
        var after = ToDictionary(LinkHash.ToFieldValues(updated));
        var arguments = new List<RedisValue>(4 + (2 * UpdateGuardFields.Length) + (2 * fields.Count))
        {
            fields.Contains(LinkHash.ExpiresAt) ? PurgeAt(updated) : -1,
            UpdateGuardFields.Length,
        };
        foreach (var field in UpdateGuardFields)
        {
            arguments.Add(field);
            arguments.Add(before.TryGetValue(field, out var value) ? value : RedisValue.EmptyString);
        }

        var setCountIndex = arguments.Count;
        arguments.Add(0);
        var sets = 0;
        var deletes = new List<RedisValue>();
        foreach (var field in fields)
        {
            if (after.TryGetValue(field, out var value))
            {
                arguments.Add(field);
                arguments.Add(value);
                sets++;
            }
            else
            {
                deletes.Add(field);
            }
        }

        arguments[setCountIndex] = sets;
        arguments.AddRange(deletes);
        var key = RedisKeys.Link(current.Code);
        var nodes = writes.NodesOf(key);
        var result = (long)await writes.Database.ScriptEvaluateAsync(UpdateIfUnchangedScript, [key, RedisKeys.Counters(current.Code)], [.. arguments]).ConfigureAwait(false);
        if (result == 1)
        {
            await writes.ConfirmAsync(nodes).ConfigureAwait(false);
            if (fields.Contains(LinkHash.ExpiresAt))
            {
                // An expiry moved earlier can end downloads in flight; replicas learn the new one from the log.
                await changes.RecordAsync(current.Code).ConfigureAwait(false);
            }
        }

        return result switch
        {
            1 => LinkUpdateResult.Updated,
            0 => LinkUpdateResult.NotFound,
            _ => LinkUpdateResult.Conflict,
        };
    }

    public async Task<IReadOnlyList<IndexedLink>> ReadIndexAsync(LinkIndexPosition? after, int count)
    {
        var db = Db;
        var entries = new List<SortedSetEntry>(count);
        if (after is not { } position)
        {
            entries.AddRange(await db.SortedSetRangeByScoreWithScoresAsync(RedisKeys.LinkIndex, order: Order.Descending, take: count).ConfigureAwait(false));
        }
        else
        {
            // Links created in the cursor's millisecond that Redis orders after the cursor's code (equal
            // scores go by member, descending here) come first. Only links made within one millisecond
            // share a score, so this read stays small.
            var ties = await db.SortedSetRangeByScoreWithScoresAsync(RedisKeys.LinkIndex, position.CreatedAt, position.CreatedAt, order: Order.Descending).ConfigureAwait(false);
            foreach (var tie in ties)
            {
                if (entries.Count < count && string.CompareOrdinal((string?)tie.Element, position.Code) < 0)
                {
                    entries.Add(tie);
                }
            }

            if (entries.Count < count)
            {
                entries.AddRange(await db.SortedSetRangeByScoreWithScoresAsync(
                    RedisKeys.LinkIndex, double.NegativeInfinity, position.CreatedAt, Exclude.Stop, Order.Descending, take: count - entries.Count).ConfigureAwait(false));
            }
        }

        if (entries.Count == 0)
        {
            return [];
        }

        var batch = db.CreateBatch();
        var reads = new Task<HashEntry[]>[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            reads[i] = batch.HashGetAllAsync(RedisKeys.Link((string)entries[i].Element!));
        }

        batch.Execute();
        await Task.WhenAll(reads).ConfigureAwait(false);

        var page = new IndexedLink[entries.Count];
        List<Task>? cleanups = null;
        for (var i = 0; i < entries.Count; i++)
        {
            var code = (string)entries[i].Element!;
            var createdAt = (long)entries[i].Score;
            var link = LinkHash.FromEntries(code, reads[i].Result);
            page[i] = new IndexedLink(new LinkIndexPosition(createdAt, code), link);
            if (link is null)
            {
                // Redis dropped the link at its expiry mirror (or a delete raced this read); the index entry is all that is left.
                (cleanups ??= []).Add(db.ScriptEvaluateAsync(RemoveStaleIndexEntryScript, [RedisKeys.LinkIndex], [code, createdAt]));
            }
        }

        if (cleanups is not null)
        {
            await Task.WhenAll(cleanups).ConfigureAwait(false);
        }

        return page;
    }

    public async Task<LinkCounters[]> GetCountersAsync(IReadOnlyList<string> codes)
    {
        if (codes.Count == 0)
        {
            return [];
        }

        var batch = Db.CreateBatch();
        var reads = new Task<RedisValue[]>[codes.Count];
        for (var i = 0; i < codes.Count; i++)
        {
            reads[i] = batch.HashGetAsync(RedisKeys.Counters(codes[i]), CounterFields);
        }

        batch.Execute();
        await Task.WhenAll(reads).ConfigureAwait(false);
        var counters = new LinkCounters[codes.Count];
        for (var i = 0; i < counters.Length; i++)
        {
            var values = reads[i].Result;
            counters[i] = new LinkCounters((long)values[0], (long)values[1]);
        }

        return counters;
    }

    private static Dictionary<string, RedisValue> ToDictionary(RedisValue[] fieldValues)
    {
        var fields = new Dictionary<string, RedisValue>(fieldValues.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < fieldValues.Length; i += 2)
        {
            fields[(string)fieldValues[i]!] = fieldValues[i + 1];
        }

        return fields;
    }

    /// <summary>Tells every replica to stop the link's in-flight downloads now (best effort; they re-check anyway).</summary>
    private Task PublishRevocationAsync(string code) => redis.GetSubscriber().PublishAsync(RevocationWatcher.Channel, code);

    /// <summary>
    /// When Redis may drop an expired link: its expiry plus the retention, so its counters stay
    /// readable a while (expiry itself is enforced in code, to the millisecond). 0: never.
    /// </summary>
    private long PurgeAt(Link link) =>
        link.ExpiresAt is { } expiresAt ? (expiresAt + options.Value.Links.ExpiredRetention).ToUnixTimeMilliseconds() : 0;
}
