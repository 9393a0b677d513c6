using System.Security.Cryptography;
using StackExchange.Redis;

namespace Gateway.Links;

/// <summary>
/// Where the store notes which links changed in a way that can stop downloads in flight (revoked,
/// deleted, expiry changed), so a replica can re-check only those links instead of every link it
/// is streaming. A sorted set of codes scored by a sequence number; a code changed twice keeps one
/// entry, at its latest number. Both keys share the <c>{changes}</c> hash tag, so each script runs
/// in one Redis Cluster slot. A sorted set rather than a stream: Garnet has no streams (see <c>AuditLog</c>).
/// </summary>
internal sealed partial class LinkChangeLog(IConnectionMultiplexer redis, ILogger<LinkChangeLog> logger)
{
    /// <summary>
    /// Sequence numbers a reader may fall behind before entries it has not read are trimmed away.
    /// A replica that falls further behind re-reads all its in-flight links instead.
    /// </summary>
    public const long Retention = 10_000;

    /// <summary>Most codes one read returns; more changes than this since the last read are a gap too.</summary>
    public const int MaxCodesPerRead = 1_000;

    private static readonly RedisKey Head = "gw:{changes}:seq";
    private static readonly RedisKey Entries = "gw:{changes}:log";

    /// <summary>
    /// Numbers the change and (re)scores the code with that number, then trims numbers older than the
    /// retention. The epoch (ARGV[2], random) is set by whoever first finds the log missing, writer or
    /// reader, so a log lost with a store restart or flush is told apart from the old one even when its
    /// numbers catch up.
    /// </summary>
    private const string RecordScript = """
        local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
        redis.call('HSETNX', KEYS[1], 'epoch', ARGV[2])
        redis.call('ZADD', KEYS[2], seq, ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', seq - tonumber(ARGV[3]))
        return seq
        """;

    /// <summary>
    /// ARGV: the reader's epoch and last number, the retention, the most codes to return, an epoch for
    /// a log not yet there. Returns {epoch, seq, 1, codes...} when the codes changed after the reader's
    /// number are all there, or {epoch, seq, 0} when they may not be (another epoch, numbers trimmed
    /// away, too many). Starting the epoch here too keeps a log's first write from looking like a lost log.
    /// </summary>
    private const string ReadScript = """
        local head = redis.call('HMGET', KEYS[1], 'seq', 'epoch')
        local seq = tonumber(head[1] or '0')
        local epoch = head[2]
        if not epoch then
          epoch = ARGV[5]
          redis.call('HSET', KEYS[1], 'epoch', epoch)
        end
        local from = tonumber(ARGV[2])
        if epoch ~= ARGV[1] or from > seq or from < seq - tonumber(ARGV[3]) then
          return {epoch, seq, 0}
        end
        if from == seq then
          return {epoch, seq, 1}
        end
        local max = tonumber(ARGV[4])
        local codes = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[2], '+inf', 'LIMIT', 0, max + 1)
        if #codes > max then
          return {epoch, seq, 0}
        end
        return {epoch, seq, 1, unpack(codes)}
        """;

    /// <summary>
    /// Notes a change of the link. Call it after the link's own write (another slot, so not in the same
    /// script): a reader that sees the entry then reads the link as changed. The change itself is done by
    /// then, so a failure here is logged rather than turned into an error for the caller; the watchers'
    /// periodic sweep still finds the link.
    /// </summary>
    public async Task RecordAsync(string code)
    {
        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(RecordScript, [Head, Entries], [code, NewEpoch(), Retention]).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            Log.RecordFailed(logger, ex);
        }
    }

    /// <summary>The codes changed after <paramref name="since"/>, in one command however long the log is.</summary>
    public async Task<LinkChanges> ReadAsync(LinkChangePosition since)
    {
        var result = await redis.GetDatabase().ScriptEvaluateAsync(ReadScript, [Head, Entries], [since.Epoch, since.Sequence, Retention, MaxCodesPerRead, NewEpoch()]).ConfigureAwait(false);
        var parts = (RedisResult[])result!;
        var position = new LinkChangePosition((string?)parts[0] ?? "", (long)parts[1]);
        if ((long)parts[2] == 0)
        {
            return new LinkChanges(position, Complete: false, []);
        }

        var codes = new string[parts.Length - 3];
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = (string)parts[i + 3]!;
        }

        return new LinkChanges(position, Complete: true, codes);
    }

    /// <summary>Only used when the call finds no log; drawn each time so no state is kept here.</summary>
    private static string NewEpoch() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Could not note a link change in the change log; replicas find it at their next sweep")]
        public static partial void RecordFailed(ILogger logger, Exception exception);
    }
}

/// <summary>A place in the change log: its epoch (a new one after the log was lost) and a sequence number.</summary>
internal readonly record struct LinkChangePosition(string Epoch, long Sequence)
{
    /// <summary>A position no log has: the first read is always incomplete, so a reader starts with a sweep.</summary>
    public static readonly LinkChangePosition Unknown = new("-", -1);
}

/// <summary>
/// What changed since a position. When <see cref="Complete"/> is false the codes may be missing some
/// (or all): the reader must re-check every link it cares about.
/// </summary>
internal readonly record struct LinkChanges(LinkChangePosition Position, bool Complete, string[] Codes);
