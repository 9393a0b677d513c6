using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Webhooks;

/// <summary>
/// The endpoints and the durable outbox in Redis (see <see cref="WebhookKeys"/>). Every write that must
/// be atomic is one Lua script over keys of the one <c>{webhooks}</c> slot, so it behaves the same on
/// Redis, Redis Cluster and Garnet.
/// </summary>
internal sealed class WebhookStore(IConnectionMultiplexer redis, IOptions<WebhookOptions> options)
{
    /// <summary>An enqueue refused because the outbox holds <see cref="WebhookOptions.MaxBacklog"/> jobs.</summary>
    public const long BacklogFull = -1;

    /// <summary>A redelivery refused because the event's body has expired.</summary>
    public const long EventGone = -2;

    private const string CreateScript = """
        redis.call('HSET', KEYS[2], unpack(ARGV, 3))
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        return 1
        """;

    /// <summary>Only an endpoint that still exists is changed (HSET alone would bring a deleted one back half-made).</summary>
    private const string UpdateScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], unpack(ARGV))
        return 1
        """;

    private const string DeleteScript = """
        local removed = redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('DEL', KEYS[2], KEYS[3])
        redis.call('HDEL', KEYS[4], ARGV[1])
        return removed
        """;

    /// <summary>
    /// Stores the body once (ARGV[2], or only refreshes its expiry when empty: a redelivery) and one job per
    /// target, due at ARGV[4], unless that would take the outbox past ARGV[1] jobs. Returns the number of
    /// jobs, <see cref="BacklogFull"/> or <see cref="EventGone"/>.
    /// </summary>
    private const string EnqueueScript = """
        local n = (#ARGV - 4) / 2
        if redis.call('ZCARD', KEYS[1]) + n > tonumber(ARGV[1]) then return -1 end
        if ARGV[2] == '' then
          if redis.call('EXPIRE', KEYS[3], ARGV[3]) == 0 then return -2 end
        else
          redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[3])
        end
        for i = 5, #ARGV, 2 do
          redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
          redis.call('ZADD', KEYS[1], ARGV[4], ARGV[i])
        end
        return n
        """;

    /// <summary>
    /// Takes up to ARGV[3] jobs due by ARGV[1] and re-scores them to ARGV[2] (the lease's end) in the same
    /// step, so no other replica sees them until the lease runs out. Returns id, value pairs.
    /// </summary>
    private const string ClaimScript = """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
        local out = {}
        for _, id in ipairs(due) do
          local value = redis.call('HGET', KEYS[2], id)
          if value then
            redis.call('ZADD', KEYS[1], ARGV[2], id)
            out[#out + 1] = id
            out[#out + 1] = value
          else
            redis.call('ZREM', KEYS[1], id)
          end
        end
        return out
        """;

    /// <summary>
    /// Finishes (ARGV[3] empty) or reschedules a job, but only while this replica still holds its lease
    /// (the score is still ARGV[2]): after a lease ran out another replica owns the job.
    /// </summary>
    private const string SettleScript = """
        local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if not score or tonumber(score) ~= tonumber(ARGV[2]) then return 0 end
        if ARGV[3] == '' then
          redis.call('ZREM', KEYS[1], ARGV[1])
          redis.call('HDEL', KEYS[2], ARGV[1])
        else
          redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
          redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
        end
        return 1
        """;

    private const string RecordAttemptScript = """
        redis.call('LPUSH', KEYS[1], ARGV[1])
        redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
        return 1
        """;

    /// <summary>Starts the endpoint's run of failures unless one is under way; returns the run's start (ms).</summary>
    private const string FailureScript = """
        redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
        return redis.call('HGET', KEYS[1], ARGV[1])
        """;

    /// <summary>Disables an enabled endpoint; 1 only for the call that did it, so only one replica audits it.</summary>
    private const string DisableScript = """
        redis.call('HDEL', KEYS[2], ARGV[1])
        if redis.call('HGET', KEYS[1], 'enabled') ~= '1' then return 0 end
        redis.call('HSET', KEYS[1], 'enabled', '0')
        return 1
        """;

    private IDatabase Database => redis.GetDatabase();

    public static string NewEndpointId() => "wh_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));

    public static string NewEventId() => "msg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public async Task CreateAsync(WebhookEndpoint endpoint)
    {
        var args = new List<RedisValue> { endpoint.Id, endpoint.CreatedAt.ToUnixTimeMilliseconds() };
        AddFields(args, endpoint);
        await Database.ScriptEvaluateAsync(CreateScript, [WebhookKeys.Endpoints, WebhookKeys.Endpoint(endpoint.Id)], [.. args]).ConfigureAwait(false);
    }

    /// <summary>Writes every field of <paramref name="endpoint"/>; false when it was deleted meanwhile.</summary>
    public async Task<bool> UpdateAsync(WebhookEndpoint endpoint)
    {
        var args = new List<RedisValue>();
        AddFields(args, endpoint);
        var result = await Database.ScriptEvaluateAsync(UpdateScript, [WebhookKeys.Endpoint(endpoint.Id)], [.. args]).ConfigureAwait(false);
        return (long)result == 1;
    }

    public async Task<bool> DeleteAsync(string id)
    {
        var result = await Database.ScriptEvaluateAsync(
            DeleteScript,
            [WebhookKeys.Endpoints, WebhookKeys.Endpoint(id), WebhookKeys.Deliveries(id), WebhookKeys.Failing],
            [id]).ConfigureAwait(false);
        return (long)result == 1;
    }

    public async Task<WebhookEndpoint?> GetAsync(string id)
    {
        var fields = await Database.HashGetAllAsync(WebhookKeys.Endpoint(id)).ConfigureAwait(false);
        return Parse(id, fields);
    }

    /// <summary>All endpoints, oldest first: one read of the index, then the hashes pipelined.</summary>
    public async Task<IReadOnlyList<WebhookEndpoint>> ListAsync()
    {
        var database = Database;
        var ids = await database.SortedSetRangeByRankAsync(WebhookKeys.Endpoints).ConfigureAwait(false);
        var reads = new Task<HashEntry[]>[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            reads[i] = database.HashGetAllAsync(WebhookKeys.Endpoint((string)ids[i]!));
        }

        await Task.WhenAll(reads).ConfigureAwait(false);
        var endpoints = new List<WebhookEndpoint>(ids.Length);
        for (var i = 0; i < ids.Length; i++)
        {
            if (Parse((string)ids[i]!, reads[i].Result) is { } endpoint)
            {
                endpoints.Add(endpoint);
            }
        }

        return endpoints;
    }

    /// <summary>Stores an event's body and one job per endpoint; see <see cref="EnqueueScript"/> for the result.</summary>
    public async Task<long> EnqueueAsync(string eventId, string type, byte[]? body, IReadOnlyList<string> endpointIds, DateTimeOffset now)
    {
        var settings = options.Value;
        var nowMs = now.ToUnixTimeMilliseconds();
        var args = new List<RedisValue>(4 + (endpointIds.Count * 2))
        {
            settings.MaxBacklog,
            body ?? RedisValue.EmptyString,
            (long)Math.Ceiling((settings.RetryFor + TimeSpan.FromDays(1)).TotalSeconds),
            nowMs,
        };
        foreach (var endpointId in endpointIds)
        {
            // A redelivery is a job of its own (new id) for the same event, so it never merges with a pending retry.
            var jobId = body is null ? $"{eventId}.{endpointId}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}" : $"{eventId}.{endpointId}";
            args.Add(jobId);
            args.Add(WebhookJob.Format(endpointId, eventId, type, 0, nowMs));
        }

        var result = await Database.ScriptEvaluateAsync(EnqueueScript, [WebhookKeys.Queue, WebhookKeys.Jobs, WebhookKeys.Event(eventId)], [.. args]).ConfigureAwait(false);
        return (long)result;
    }

    public async Task<IReadOnlyList<WebhookJob>> ClaimAsync(DateTimeOffset now, int max)
    {
        var leaseScore = (now + options.Value.Lease).ToUnixTimeMilliseconds();
        var result = await Database.ScriptEvaluateAsync(
            ClaimScript,
            [WebhookKeys.Queue, WebhookKeys.Jobs],
            [now.ToUnixTimeMilliseconds(), leaseScore, max]).ConfigureAwait(false);
        var parts = (RedisResult[])result!;
        var jobs = new List<WebhookJob>(parts.Length / 2);
        for (var i = 0; i + 1 < parts.Length; i += 2)
        {
            if (WebhookJob.Parse((string)parts[i]!, (string)parts[i + 1]!, leaseScore) is { } job)
            {
                jobs.Add(job);
            }
        }

        return jobs;
    }

    /// <summary>Removes a finished job (delivered, or given up); false when the lease had passed to another replica.</summary>
    public async Task<bool> CompleteAsync(WebhookJob job) =>
        (long)await Database.ScriptEvaluateAsync(SettleScript, [WebhookKeys.Queue, WebhookKeys.Jobs], [job.JobId, job.LeaseScore, RedisValue.EmptyString, RedisValue.EmptyString]).ConfigureAwait(false) == 1;

    public async Task<bool> RescheduleAsync(WebhookJob job, DateTimeOffset next)
    {
        var value = WebhookJob.Format(job.EndpointId, job.EventId, job.Type, job.Attempts + 1, job.FirstEnqueuedMs);
        var result = await Database.ScriptEvaluateAsync(SettleScript, [WebhookKeys.Queue, WebhookKeys.Jobs], [job.JobId, job.LeaseScore, next.ToUnixTimeMilliseconds(), value]).ConfigureAwait(false);
        return (long)result == 1;
    }

    public async Task<byte[]?> GetEventBodyAsync(string eventId) =>
        (byte[]?)await Database.StringGetAsync(WebhookKeys.Event(eventId)).ConfigureAwait(false);

    public Task<long> BacklogAsync() => Database.SortedSetLengthAsync(WebhookKeys.Queue);

    public async Task RecordAttemptAsync(string endpointId, WebhookDeliveryAttempt attempt)
    {
        var json = JsonSerializer.Serialize(attempt, WebhookJsonContext.Default.WebhookDeliveryAttempt);
        await Database.ScriptEvaluateAsync(RecordAttemptScript, [WebhookKeys.Deliveries(endpointId)], [json, options.Value.DeliveryHistory]).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<WebhookDeliveryAttempt>> ListAttemptsAsync(string endpointId)
    {
        var values = await Database.ListRangeAsync(WebhookKeys.Deliveries(endpointId)).ConfigureAwait(false);
        var attempts = new List<WebhookDeliveryAttempt>(values.Length);
        foreach (var value in values)
        {
            if (JsonSerializer.Deserialize((string)value!, WebhookJsonContext.Default.WebhookDeliveryAttempt) is { } attempt)
            {
                attempts.Add(attempt);
            }
        }

        return attempts;
    }

    /// <summary>Notes a failed attempt; returns when the endpoint's current run of failures began.</summary>
    public async Task<DateTimeOffset> RecordFailureAsync(string endpointId, DateTimeOffset now)
    {
        var result = await Database.ScriptEvaluateAsync(FailureScript, [WebhookKeys.Failing], [endpointId, now.ToUnixTimeMilliseconds()]).ConfigureAwait(false);
        return DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((string)result!, CultureInfo.InvariantCulture));
    }

    public Task RecordSuccessAsync(string endpointId) => Database.HashDeleteAsync(WebhookKeys.Failing, endpointId);

    public async Task<bool> DisableAsync(string endpointId) =>
        (long)await Database.ScriptEvaluateAsync(DisableScript, [WebhookKeys.Endpoint(endpointId), WebhookKeys.Failing], [endpointId]).ConfigureAwait(false) == 1;

    private static void AddFields(List<RedisValue> args, WebhookEndpoint endpoint)
    {
        args.Add("url");
        args.Add(endpoint.Url.OriginalString);
        args.Add("events");
        args.Add(string.Join(' ', endpoint.Events));
        args.Add("description");
        args.Add(endpoint.Description ?? "");
        args.Add("enabled");
        args.Add(endpoint.Enabled ? "1" : "0");
        args.Add("createdAt");
        args.Add(endpoint.CreatedAt.ToUnixTimeMilliseconds());
        args.Add("secret");
        args.Add(endpoint.Secret);
        args.Add("previousSecret");
        args.Add(endpoint.PreviousSecret ?? "");
        args.Add("previousSecretUntil");
        args.Add(endpoint.PreviousSecretUntil?.ToUnixTimeMilliseconds() ?? 0);
    }

    private static WebhookEndpoint? Parse(string id, HashEntry[] fields)
    {
        if (fields.Length == 0)
        {
            return null;
        }

        string? url = null, events = null, description = null, secret = null, previousSecret = null;
        bool enabled = false;
        long createdAt = 0, previousUntil = 0;
        foreach (var field in fields)
        {
            var value = (string?)field.Value;
            switch ((string?)field.Name)
            {
                case "url": url = value; break;
                case "events": events = value; break;
                case "description": description = string.IsNullOrEmpty(value) ? null : value; break;
                case "enabled": enabled = value == "1"; break;
                case "createdAt": createdAt = long.Parse(value!, CultureInfo.InvariantCulture); break;
                case "secret": secret = value; break;
                case "previousSecret": previousSecret = string.IsNullOrEmpty(value) ? null : value; break;
                case "previousSecretUntil": previousUntil = long.Parse(value!, CultureInfo.InvariantCulture); break;
                default: break;
            }
        }

        if (url is null || secret is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return null;
        }

        return new WebhookEndpoint(
            id,
            uri,
            (events ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
            description,
            enabled,
            DateTimeOffset.FromUnixTimeMilliseconds(createdAt),
            secret,
            previousSecret,
            previousUntil > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(previousUntil) : null);
    }
}
