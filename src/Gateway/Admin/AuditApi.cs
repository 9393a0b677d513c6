using Gateway.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Admin;

/// <summary>
/// <c>GET /api/v1/audit</c>: the audit log newest first, filtered by link code and actor, and limited
/// to the entries about the caller's data scope (a restricted key sees only actions on its own buckets
/// and key prefixes). Reading is bounded per request like the link list.
/// </summary>
internal static class AuditApi
{
    private const int FilteredChunk = 200;

    public static async Task<Results<Ok<AuditListResponse>, ValidationProblem, ProblemHttpResult>> ListAsync(
        string? cursor, string? limit, string? code, string? actor,
        HttpContext context, AuditLog audit, ApiKeyRegistry keys, IOptions<GatewayOptions> options)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        PageCursor.TryParseLimit(limit, out var pageSize, errors);
        long? before = null;
        if (cursor is not null)
        {
            if (PageCursor.TryParseAudit(cursor, out var id))
            {
                before = id;
            }
            else
            {
                errors["cursor"] = ["Not a cursor of the audit log; pass nextCursor from the previous page unchanged."];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The audit request is not valid.");
        }

        var scope = keys.ScopeOf(context.User);
        var filtered = code is not null || actor is not null || !scope.SeesEverything;
        var budget = options.Value.Admin.MaxScanPerRequest;
        var found = new List<AuditEntry>(pageSize);
        var scanned = 0;
        var reachedEnd = false;
        try
        {
            while (found.Count < pageSize && scanned < budget)
            {
                var wanted = pageSize - found.Count;
                var chunk = Math.Min(budget - scanned, filtered ? Math.Max(wanted, FilteredChunk) : wanted);
                var entries = await audit.ReadAsync(before, chunk).ConfigureAwait(false);
                var last = entries.Count == 0 ? null : entries[^1];
                foreach (var entry in entries)
                {
                    scanned++;
                    before = entry.Id;
                    if (Matches(entry, code, actor, scope))
                    {
                        found.Add(entry);
                        if (found.Count == pageSize)
                        {
                            break;
                        }
                    }
                }

                if (entries.Count < chunk)
                {
                    reachedEnd = found.Count < pageSize || before == last?.Id;
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return AdminResults.StoreUnavailable(context);
        }

        var next = reachedEnd || before is null ? null : PageCursor.ForAudit(before.Value);
        return TypedResults.Ok(new AuditListResponse(found, next));
    }

    private static bool Matches(AuditEntry entry, string? code, string? actor, DataScope scope) =>
        (code is null || string.Equals(entry.Code, code, StringComparison.Ordinal))
        && (actor is null || string.Equals(entry.Actor, actor, StringComparison.Ordinal))
        && (scope.SeesEverything || (entry.Bucket is { } bucket && entry.Key is { } key && scope.Covers(bucket, key)));
}
