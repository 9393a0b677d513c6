using System.Security.Cryptography;
using Gateway.Links;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Metering;

/// <summary>Counts of one link, bucket or day.</summary>
internal readonly record struct Counts(long Started, long Downloads, long Aborted, long Bytes, long Previews);

/// <summary>One entry of a day's top list.</summary>
internal readonly record struct RankedLink(string Code, long Bytes, long Downloads);

/// <summary>
/// Metering's reads (on the shared multiplexer) and writes (through <see cref="ReplicatedWrites"/>).
/// Writes are Lua scripts, each within one Cluster slot, that skip a write they have already applied
/// from this process: a write whose answer was lost (connection dropped, timeout) can be retried
/// without counting twice. A batch is done only once the replicas hold it, so a crashed primary takes
/// no counts with it: the batch is sent again, whole, to the primary that replaces it.
/// </summary>
internal sealed class MeteringStore(IConnectionMultiplexer redis, ReplicatedWrites writes, IOptions<MeteringOptions> options)
{
    /// <summary>
    /// KEYS: link, totals, day. ARGV: applied-field, write id, day expiry (unix s), started,
    /// downloads, aborted, bytes, previews, last download start (unix ms, 0 for none). A deleted link takes its
    /// numbers with it: counts that arrive after the delete are not written (-1). Totals created
    /// here take the link's purge time (its expiry plus retention), which the link store could not
    /// set on a hash that did not exist yet, so they never outlive the link.
    /// </summary>
    private const string LinkScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        local applied = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
        if applied >= tonumber(ARGV[2]) then return 0 end
        local fields = { 'started', 'downloads', 'aborted', 'bytes', 'previews' }
        for i = 1, 5 do
          local delta = ARGV[i + 3]
          if delta ~= '0' then
            redis.call('HINCRBY', KEYS[2], fields[i], delta)
            redis.call('HINCRBY', KEYS[3], fields[i], delta)
          end
        end
        local last = tonumber(ARGV[9])
        if last > 0 and last > tonumber(redis.call('HGET', KEYS[2], 'lastDownloadAt') or '0') then
          redis.call('HSET', KEYS[2], 'lastDownloadAt', ARGV[9])
        end
        local linkTtl = redis.call('PTTL', KEYS[1])
        if linkTtl > 0 and redis.call('PTTL', KEYS[2]) == -1 then
          redis.call('PEXPIRE', KEYS[2], linkTtl)
        end
        redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
        redis.call('EXPIREAT', KEYS[3], ARGV[3])
        return 1
        """;

    /// <summary>
    /// KEYS: bucket totals, bucket day. ARGV: applied-field, write id, day expiry, then per bucket:
    /// alias, started, downloads, aborted, bytes, previews, last download start.
    /// </summary>
    private const string BucketScript = """
        local applied = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
        if applied >= tonumber(ARGV[2]) then return 0 end
        local fields = { 'started', 'downloads', 'aborted', 'bytes', 'previews' }
        for i = 4, #ARGV, 7 do
          local alias = ARGV[i]
          for f = 1, 5 do
            local delta = ARGV[i + f]
            if delta ~= '0' then
              redis.call('HINCRBY', KEYS[1], alias .. ':' .. fields[f], delta)
              redis.call('HINCRBY', KEYS[2], alias .. ':' .. fields[f], delta)
            end
          end
          local last = tonumber(ARGV[i + 6])
          if last > 0 then
            local field = alias .. ':lastDownloadAt'
            for k = 1, 2 do
              if last > tonumber(redis.call('HGET', KEYS[k], field) or '0') then
                redis.call('HSET', KEYS[k], field, ARGV[i + 6])
              end
            end
          end
        end
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
        redis.call('EXPIREAT', KEYS[2], ARGV[3])
        return 1
        """;

    /// <summary>
    /// KEYS: top by bytes, top by downloads, applied hash. ARGV: applied-field, write id, day expiry,
    /// then per link: code, bytes, downloads.
    /// </summary>
    private const string TopScript = """
        local applied = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
        if applied >= tonumber(ARGV[2]) then return 0 end
        for i = 4, #ARGV, 3 do
          if ARGV[i + 1] ~= '0' then redis.call('ZINCRBY', KEYS[1], ARGV[i + 1], ARGV[i]) end
          if ARGV[i + 2] ~= '0' then redis.call('ZINCRBY', KEYS[2], ARGV[i + 2], ARGV[i]) end
        end
        redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
        for k = 1, 3 do redis.call('EXPIREAT', KEYS[k], ARGV[3]) end
        return 1
        """;

    /// <summary>Link writes sent together; the next group goes only if this one fully succeeded.</summary>
    private const int PipelineGroup = 512;

    private static readonly RedisValue[] CountFields = [MeteringKeys.Started, MeteringKeys.Downloads, MeteringKeys.Aborted, MeteringKeys.Bytes, MeteringKeys.Previews];
    private static readonly RedisValue[] TotalFields = [.. CountFields, MeteringKeys.LastDownloadAt];

    private readonly int _retentionDays = options.Value.RetentionDays;

    /// <summary>This process's name in the applied-write fields. Random per start: a restarted process begins a new sequence.</summary>
    public string WriterId { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>False while the write connection has no server: a flush then does not even try (each command would fail at once).</summary>
    public bool IsConnected => writes.IsConnected;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>
    /// Sends the batch's writes that are not done yet; true when all of them are. Stops at the first
    /// failing group: while the store is away, one attempt per flush is enough.
    /// </summary>
    /// <exception cref="RedisException">The store could not be reached or refused a write (also <see cref="RedisTimeoutException"/>), or the replicas did not confirm the batch.</exception>
    public async Task<bool> WriteAsync(MeteringBatch batch)
    {
        try
        {
            return await WriteAndConfirmAsync(batch).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            // Writes that went through may die with the primary before a replica has them. The whole
            // batch goes again next time, over whatever connection then stands; the store skips what it
            // already applied, so nothing counts twice.
            batch.Resend();
            throw;
        }
    }

    private async Task<bool> WriteAndConfirmAsync(MeteringBatch batch)
    {
        var nodes = writes.Primaries();
        var db = writes.Database;
        var appliedField = (RedisValue)(MeteringKeys.AppliedPrefix + WriterId);
        var group = new List<Task>(PipelineGroup);
        foreach (var write in batch.Links)
        {
            if (write.Done)
            {
                continue;
            }

            group.Add(WriteLinkAsync(db, write, appliedField));
            if (group.Count == PipelineGroup)
            {
                await Task.WhenAll(group).ConfigureAwait(false);
                group.Clear();
            }
        }

        await Task.WhenAll(group).ConfigureAwait(false);
        group.Clear();

        foreach (var write in batch.Buckets)
        {
            if (!write.Done)
            {
                group.Add(WriteBucketsAsync(db, write, appliedField));
            }
        }

        await Task.WhenAll(group).ConfigureAwait(false);

        // A day's chunks share one applied-field, so they go one after the other, in id order.
        foreach (var write in batch.Top)
        {
            if (!write.Done)
            {
                await WriteTopAsync(db, write).ConfigureAwait(false);
            }
        }

        if (batch.IsDone)
        {
            await writes.ConfirmAsync(nodes).ConfigureAwait(false);
        }

        return batch.IsDone;
    }

    /// <summary>Keeps the best <paramref name="keep"/> links of a day that is over in each top list.</summary>
    public Task TrimTopAsync(DateOnly day, int keep)
    {
        var db = writes.Database;
        return Task.WhenAll(
            db.SortedSetRemoveRangeByRankAsync(MeteringKeys.TopBytes(day), 0, -(keep + 1)),
            db.SortedSetRemoveRangeByRankAsync(MeteringKeys.TopDownloads(day), 0, -(keep + 1)));
    }

    /// <summary>A link's all-time totals and its counts for each day from <paramref name="from"/> to <paramref name="to"/>, in one round trip.</summary>
    public async Task<(Counts Totals, DateTimeOffset? LastDownloadAt, Counts[] Days)> ReadLinkAsync(string code, DateOnly from, DateOnly to)
    {
        var db = Db;
        var totalsTask = db.HashGetAsync(MeteringKeys.LinkTotals(code), TotalFields);
        var dayTasks = new Task<RedisValue[]>[to.DayNumber - from.DayNumber + 1];
        for (var i = 0; i < dayTasks.Length; i++)
        {
            dayTasks[i] = db.HashGetAsync(MeteringKeys.LinkDay(code, from.AddDays(i)), CountFields);
        }

        var totals = await totalsTask.ConfigureAwait(false);
        var days = new Counts[dayTasks.Length];
        for (var i = 0; i < days.Length; i++)
        {
            days[i] = ToCounts(await dayTasks[i].ConfigureAwait(false));
        }

        return (ToCounts(totals), ToInstant(totals[5]), days);
    }

    /// <summary>Per-bucket counts: all-time totals, or one day's.</summary>
    public async Task<SortedDictionary<string, (Counts Counts, DateTimeOffset? LastDownloadAt)>> ReadBucketsAsync(DateOnly? day)
    {
        var entries = await Db.HashGetAllAsync(day is { } d ? MeteringKeys.BucketDay(d) : MeteringKeys.BucketTotals).ConfigureAwait(false);
        var raw = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var field = (string)entry.Name!;
            var separator = field.IndexOf(':', StringComparison.Ordinal);
            if (field.StartsWith(MeteringKeys.AppliedPrefix, StringComparison.Ordinal) || separator <= 0)
            {
                continue;
            }

            var alias = field[..separator];
            if (!raw.TryGetValue(alias, out var values))
            {
                values = new long[6];
                raw.Add(alias, values);
            }

            var index = field.AsSpan(separator + 1) switch
            {
                MeteringKeys.Started => 0,
                MeteringKeys.Downloads => 1,
                MeteringKeys.Aborted => 2,
                MeteringKeys.Bytes => 3,
                MeteringKeys.Previews => 4,
                MeteringKeys.LastDownloadAt => 5,
                _ => -1,
            };
            if (index >= 0)
            {
                values[index] = (long)entry.Value;
            }
        }

        var result = new SortedDictionary<string, (Counts, DateTimeOffset?)>(StringComparer.Ordinal);
        foreach (var (alias, values) in raw)
        {
            result.Add(alias, (new Counts(values[0], values[1], values[2], values[3], values[4]), values[5] > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(values[5]) : null));
        }

        return result;
    }

    /// <summary>Ranks <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> - 1 of a day's links by bytes or by completed downloads, each with both numbers.</summary>
    public async Task<RankedLink[]> ReadTopAsync(DateOnly day, bool byBytes, int start, int count)
    {
        var db = Db;
        var rankedKey = byBytes ? MeteringKeys.TopBytes(day) : MeteringKeys.TopDownloads(day);
        var otherKey = byBytes ? MeteringKeys.TopDownloads(day) : MeteringKeys.TopBytes(day);
        var ranked = await db.SortedSetRangeByRankWithScoresAsync(rankedKey, start, start + count - 1, Order.Descending).ConfigureAwait(false);
        if (ranked.Length == 0)
        {
            return [];
        }

        var members = new RedisValue[ranked.Length];
        for (var i = 0; i < ranked.Length; i++)
        {
            members[i] = ranked[i].Element;
        }

        var others = await db.SortedSetScoresAsync(otherKey, members).ConfigureAwait(false);
        var result = new RankedLink[ranked.Length];
        for (var i = 0; i < ranked.Length; i++)
        {
            var score = (long)ranked[i].Score;
            var other = (long)(others[i] ?? 0);
            result[i] = new RankedLink((string)ranked[i].Element!, byBytes ? score : other, byBytes ? other : score);
        }

        return result;
    }

    private async Task WriteLinkAsync(IDatabase db, LinkWrite write, RedisValue appliedField)
    {
        var (code, day) = write.Key;
        var tally = write.Tally;
        await db.ScriptEvaluateAsync(
            LinkScript,
            [RedisKeys.Link(code), MeteringKeys.LinkTotals(code), MeteringKeys.LinkDay(code, day)],
            [appliedField, write.Id, MeteringKeys.ExpireAt(day, _retentionDays), tally.Started, tally.Downloads, tally.Aborted, tally.Bytes, tally.Previews, tally.LastDownloadAt]).ConfigureAwait(false);
        write.Done = true;
    }

    private async Task WriteBucketsAsync(IDatabase db, BucketWrite write, RedisValue appliedField)
    {
        var arguments = new RedisValue[3 + (7 * write.Buckets.Length)];
        arguments[0] = appliedField;
        arguments[1] = write.Id;
        arguments[2] = MeteringKeys.ExpireAt(write.Day, _retentionDays);
        var i = 3;
        foreach (var (alias, tally) in write.Buckets)
        {
            arguments[i++] = alias;
            arguments[i++] = tally.Started;
            arguments[i++] = tally.Downloads;
            arguments[i++] = tally.Aborted;
            arguments[i++] = tally.Bytes;
            arguments[i++] = tally.Previews;
            arguments[i++] = tally.LastDownloadAt;
        }

        await db.ScriptEvaluateAsync(BucketScript, [MeteringKeys.BucketTotals, MeteringKeys.BucketDay(write.Day)], arguments).ConfigureAwait(false);
        write.Done = true;
    }

    private async Task WriteTopAsync(IDatabase db, TopWrite write)
    {
        var arguments = new RedisValue[3 + (3 * write.Entries.Count)];
        arguments[0] = WriterId;
        arguments[1] = write.Id;
        arguments[2] = MeteringKeys.ExpireAt(write.Day, _retentionDays);
        var i = 3;
        foreach (var entry in write.Entries)
        {
            arguments[i++] = entry.Code;
            arguments[i++] = entry.Bytes;
            arguments[i++] = entry.Downloads;
        }

        await db.ScriptEvaluateAsync(
            TopScript,
            [MeteringKeys.TopBytes(write.Day), MeteringKeys.TopDownloads(write.Day), MeteringKeys.TopApplied(write.Day)],
            arguments).ConfigureAwait(false);
        write.Done = true;
    }

    private static Counts ToCounts(RedisValue[] values) =>
        new((long)values[0], (long)values[1], (long)values[2], (long)values[3], (long)values[4]);

    private static DateTimeOffset? ToInstant(RedisValue value) =>
        value.IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)value);
}
