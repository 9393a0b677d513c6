using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Gateway.Hosting;
using Gateway.Links;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Admin;

/// <summary>What an audit entry records.</summary>
internal static class AuditActions
{
    public const string Create = "create";
    public const string Update = "update";
    public const string Revoke = "revoke";
    public const string Restore = "restore";
    public const string Delete = "delete";
    public const string Presign = "presign";
}

/// <summary>
/// One admin action: who (the API key's name) did what to which link or object, when. <c>details</c>
/// holds an update's changed fields with their new values (null: removed) and a presign's parameters;
/// never a URL, a signature or a key.
/// </summary>
internal sealed record AuditEntry(
    long? Id,
    DateTimeOffset At,
    string Actor,
    string Action,
    string? Code,
    string? Bucket,
    string? Key,
    JsonObject? Details);

/// <summary>One page of <c>GET /api/v1/audit</c>, newest first. <c>nextCursor</c> is null at the end.</summary>
internal sealed record AuditListResponse(IReadOnlyList<AuditEntry> Items, string? NextCursor);

/// <summary>
/// The audit log of admin actions, in the shared store so every replica writes to one log.
/// It is a sorted set scored by a sequence number rather than a Redis stream: the embedded Garnet
/// (2.2.8) has no stream commands (XADD answers "unknown command"), and one code path must serve
/// Garnet and Redis alike. The sorted set gives what the stream would: append-only entries with
/// increasing ids, reading newest first from any id, and an approximate cap on length. Both keys share
/// the <c>{audit}</c> hash tag so the append script runs in one Redis Cluster slot.
/// </summary>
internal sealed partial class AuditLog(IConnectionMultiplexer redis, ReplicatedWrites writes, IOptions<GatewayOptions> options, TimeProvider time, ILogger<AuditLog> logger)
{
    private static readonly RedisKey Entries = "gw:{audit}:entries";
    private static readonly RedisKey Sequence = "gw:{audit}:seq";

    /// <summary>
    /// Numbers and appends one entry (member: "id json", so equal entries stay distinct), and every 64th
    /// append trims to the newest ARGV[2] entries, like XADD's MAXLEN ~: cheap, and at most 63 over.
    /// </summary>
    private const string AppendScript = """
        local id = redis.call('INCR', KEYS[2])
        redis.call('ZADD', KEYS[1], id, id .. ' ' .. ARGV[1])
        if id % 64 == 0 then
          redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[2]) - 1)
        end
        return id
        """;

    /// <summary>
    /// Appends an entry. The action it records has already happened in the store, so a failure to
    /// write the entry is logged rather than turned into an error for the caller.
    /// </summary>
    public async Task RecordAsync(ClaimsPrincipal user, string action, string? code, string? bucket, string? key, JsonObject? details = null)
    {
        var actor = user.FindFirstValue(ClaimTypes.Name) ?? "";
        var entry = new AuditEntry(null, time.GetUtcNow(), actor, action, code, bucket, key, details);
        var json = JsonSerializer.Serialize(entry, AuditJsonContext.Default.AuditEntry);
        try
        {
            // Through the replicated writes, so a failover cannot drop an entry the log already showed.
            var nodes = writes.NodesOf(Entries);
            await writes.Database.ScriptEvaluateAsync(AppendScript, [Entries, Sequence], [json, options.Value.Admin.AuditMaxLength]).ConfigureAwait(false);
            await writes.ConfirmAsync(nodes).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            Log.AppendFailed(logger, action, actor, ex);
        }
    }

    /// <summary>Up to <paramref name="count"/> entries, newest first, older than <paramref name="before"/> (from the newest when null).</summary>
    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(long? before, int count)
    {
        var members = await redis.GetDatabase().SortedSetRangeByScoreWithScoresAsync(
            Entries,
            double.NegativeInfinity,
            before ?? double.PositiveInfinity,
            before is null ? Exclude.None : Exclude.Stop,
            Order.Descending,
            take: count).ConfigureAwait(false);
        var entries = new List<AuditEntry>(members.Length);
        foreach (var member in members)
        {
            var text = (string?)member.Element;
            var space = text?.IndexOf(' ', StringComparison.Ordinal) ?? -1;
            if (space < 0)
            {
                continue;
            }

            var entry = JsonSerializer.Deserialize(text.AsSpan(space + 1), AuditJsonContext.Default.AuditEntry);
            if (entry is not null)
            {
                entries.Add(entry with { Id = (long)member.Score });
            }
        }

        return entries;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6001, Level = LogLevel.Error, Message = "Could not write the audit entry of a {Action} by API key {Actor}; the action itself was done")]
        public static partial void AppendFailed(ILogger logger, string action, string actor, Exception exception);
    }
}

[JsonSerializable(typeof(AuditEntry))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
