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
    /// Stores a batch of events, KEYS[3..] their body keys. ARGV[1] is the outbox's bound, ARGV[2] the bodies'
    /// lifetime (s); then per event: its body (empty: a redelivery, whose stored body only gets its expiry
    /// refreshed), the jobs' due time (ms), the number of jobs n, and n (job id, job value) pairs. An event
    /// whose jobs would take the outbox past the bound is refused whole. Returns, per event, the number of
    /// jobs stored, <see cref="BacklogFull"/> or <see cref="EventGone"/>. One script for many events: under
    /// load one call per batch costs Redis a fraction of one call per event.
    /// </summary>
    private const string EnqueueScript = """
        local max = tonumber(ARGV[1])
        local queued = redis.call('ZCARD', KEYS[1])
        local results = {}
        local a = 3
        for k = 3, #KEYS do
          local body, due, n = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2])
          local first, last = a + 3, a + 2 + (2 * n)
          local result = n
          if queued + n > max then
            result = -1
          elseif body == '' then
            if redis.call('EXPIRE', KEYS[k], ARGV[2]) == 0 then result = -2 end
          else
            redis.call('SET', KEYS[k], body, 'EX', ARGV[2])
          end
          if result == n then
            for i = first, last, 2 do
              redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
              redis.call('ZADD', KEYS[1], due, ARGV[i])
            end
            queued = queued + n
          end
          results[#results + 1] = result
          a = last + 1
        end
        return results
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
    /// Removes a job, but only while this replica still holds its lease (the score is still ARGV[2]): after
    /// a lease ran out another replica owns the job.
    /// </summary>
    private const string CompleteScript = """
        local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if not score or tonumber(score) ~= tonumber(ARGV[2]) then return 0 end
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('HDEL', KEYS[2], ARGV[1])
        return 1
        """;

    /// <summary>
    /// Removes (ARGV[3] empty) or reschedules an attempted job while this replica holds its lease (as in
    /// <see cref="CompleteScript"/>, ARGV[1..4]), records the attempt in the
    /// endpoint's history (KEYS[3], ARGV[5], trimmed to ARGV[6]) and the endpoint's run of failures (KEYS[4],
    /// field ARGV[7]): a success (ARGV[8] empty) ends it, a failure at ARGV[8] (ms) starts it unless one is
    /// under way. Returns the run's start (ms), 0 after a success. One call per attempt instead of three.
    /// </summary>
    private const string SettleAttemptScript = """
        local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if score and tonumber(score) == tonumber(ARGV[2]) then
          if ARGV[3] == '' then
            redis.call('ZREM', KEYS[1], ARGV[1])
            redis.call('HDEL', KEYS[2], ARGV[1])
          else
            redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
          end
        end
        redis.call('LPUSH', KEYS[3], ARGV[5])
        redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[6]) - 1)
        if ARGV[8] == '' then
          redis.call('HDEL', KEYS[4], ARGV[7])
          return 0
        end
        redis.call('HSETNX', KEYS[4], ARGV[7], ARGV[8])
        return tonumber(redis.call('HGET', KEYS[4], ARGV[7]))
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
        var results = await EnqueueAsync([new OutboxEvent(eventId, type, body, endpointIds, now)]).ConfigureAwait(false);
        return results[0];
    }

    /// <summary>Stores many events in one script call; per event, in order, what <see cref="EnqueueScript"/> says of it.</summary>
    public async Task<long[]> EnqueueAsync(IReadOnlyList<OutboxEvent> events)
    {
        var settings = options.Value;
        var keys = new RedisKey[2 + events.Count];
        keys[0] = WebhookKeys.Queue;
        keys[1] = WebhookKeys.Jobs;
        var args = new List<RedisValue>(2 + (events.Count * 5))
        {
            settings.MaxBacklog,
            (long)Math.Ceiling((settings.RetryFor + TimeSpan.FromDays(1)).TotalSeconds),
        };
        for (var e = 0; e < events.Count; e++)
        {
            var (eventId, type, body, endpointIds, enqueuedAt) = events[e];
            var nowMs = enqueuedAt.ToUnixTimeMilliseconds();
            keys[2 + e] = WebhookKeys.Event(eventId);
            args.Add(body ?? RedisValue.EmptyString);
            args.Add(nowMs);
            args.Add(endpointIds.Count);
            foreach (var endpointId in endpointIds)
            {
                // A redelivery is a job of its own (new id) for the same event, so it never merges with a pending retry.
                var jobId = body is null ? $"{eventId}.{endpointId}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}" : $"{eventId}.{endpointId}";
                args.Add(jobId);
                args.Add(WebhookJob.Format(endpointId, eventId, type, 0, nowMs));
            }
        }

        var result = await Database.ScriptEvaluateAsync(EnqueueScript, keys, [.. args]).ConfigureAwait(false);
        return (long[])result!;
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

    /// <summary>Removes a job that has nothing left to send; false when the lease had passed to another replica.</summary>
    public async Task<bool> CompleteAsync(WebhookJob job) =>
        (long)await Database.ScriptEvaluateAsync(CompleteScript, [WebhookKeys.Queue, WebhookKeys.Jobs], [job.JobId, job.LeaseScore]).ConfigureAwait(false) == 1;

    /// <summary>
    /// After an attempt: removes the job (<paramref name="retryAt"/> null) or reschedules it, and records
    /// <paramref name="attempt"/> in the endpoint's history and its run of failures. Returns when the
    /// endpoint's current run of failures began, or null when the attempt succeeded.
    /// </summary>
    public async Task<DateTimeOffset?> SettleAttemptAsync(WebhookJob job, DateTimeOffset? retryAt, WebhookDeliveryAttempt attempt, bool succeeded)
    {
        var value = retryAt is null ? RedisValue.EmptyString : (RedisValue)WebhookJob.Format(job.EndpointId, job.EventId, job.Type, job.Attempts + 1, job.FirstEnqueuedMs);
        var result = await Database.ScriptEvaluateAsync(
            SettleAttemptScript,
            [WebhookKeys.Queue, WebhookKeys.Jobs, WebhookKeys.Deliveries(job.EndpointId), WebhookKeys.Failing],
            [
                job.JobId,
                job.LeaseScore,
                retryAt is { } at ? at.ToUnixTimeMilliseconds() : RedisValue.EmptyString,
                value,
                JsonSerializer.Serialize(attempt, WebhookJsonContext.Default.WebhookDeliveryAttempt),
                options.Value.DeliveryHistory,
                job.EndpointId,
                succeeded ? RedisValue.EmptyString : attempt.Timestamp.ToUnixTimeMilliseconds(),
            ]).ConfigureAwait(false);
        return succeeded ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)result);
    }

    public async Task<byte[]?> GetEventBodyAsync(string eventId) =>
        (byte[]?)await Database.StringGetAsync(WebhookKeys.Event(eventId)).ConfigureAwait(false);

    public Task<long> BacklogAsync() => Database.SortedSetLengthAsync(WebhookKeys.Queue);

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
