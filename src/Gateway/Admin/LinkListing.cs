using Gateway.Hosting;
using Gateway.Links;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Admin;

/// <summary>
/// <c>GET /api/v1/links</c>: the link index (a sorted set by creation time) read newest first, a
/// chunk at a time, each chunk's links fetched in one pipelined round trip and filtered here. One
/// request reads at most <see cref="AdminOptions.MaxScanPerRequest"/> entries; when a selective filter
/// finds fewer matches than asked, the page is shorter and its cursor continues where the reading stopped.
/// </summary>
internal static class LinkListing
{
    /// <summary>Links read per round trip when filters may drop most of them.</summary>
    private const int FilteredChunk = 200;

    /// <summary>Longest search text: as long as the longest code or a long key fragment, and no more.</summary>
    public const int MaxSearchLength = 256;

    public static async Task<Results<Ok<LinkListResponse>, ValidationProblem, ProblemHttpResult>> ListAsync(
        string? cursor, string? limit, string? bucket, string? tag, string? state, string? q,
        HttpContext context, ILinkStore store, ApiKeyRegistry keys, TimeProvider time, IOptions<GatewayOptions> options)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        PageCursor.TryParseLimit(limit, out var pageSize, errors);
        LinkIndexPosition? position = null;
        if (cursor is not null)
        {
            if (PageCursor.TryParseLink(cursor, out var parsed))
            {
                position = parsed;
            }
            else
            {
                errors["cursor"] = ["Not a cursor of this list; pass nextCursor from the previous page unchanged."];
            }
        }

        if (state is not null && Array.IndexOf(EffectiveState.All, state) < 0)
        {
            errors["state"] = [$"Must be one of {string.Join(", ", EffectiveState.All)}."];
        }

        // An empty search box (HTML forms send "q=") searches for nothing in particular.
        if (q is { Length: 0 })
        {
            q = null;
        }
        else if (q?.Length > MaxSearchLength)
        {
            errors["q"] = [$"At most {MaxSearchLength} characters."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The list request is not valid.");
        }

        var scope = keys.ScopeOf(context.User);
        var filtered = bucket is not null || tag is not null || state is not null || q is not null || !scope.SeesEverything;
        var budget = options.Value.Admin.MaxScanPerRequest;
        var now = time.GetUtcNow();
        var found = new List<Link>(pageSize);
        var scanned = 0;
        var reachedEnd = false;
        try
        {
            while (found.Count < pageSize && scanned < budget)
            {
                var wanted = pageSize - found.Count;
                var chunk = Math.Min(budget - scanned, filtered ? Math.Max(wanted, FilteredChunk) : wanted);
                var entries = await store.ReadIndexAsync(position, chunk).ConfigureAwait(false);
                foreach (var entry in entries)
                {
                    scanned++;
                    position = entry.Position;
                    if (entry.Link is { } link && scope.Covers(link.Bucket, link.Key) && Matches(link, bucket, tag, state, q, now))
                    {
                        found.Add(link);
                        if (found.Count == pageSize)
                        {
                            break;
                        }
                    }
                }

                if (entries.Count < chunk)
                {
                    reachedEnd = found.Count < pageSize || position == entries[^1].Position;
                    break;
                }
            }

            var codes = new string[found.Count];
            for (var i = 0; i < codes.Length; i++)
            {
                codes[i] = found[i].Code;
            }

            var counters = await store.GetCountersAsync(codes).ConfigureAwait(false);
            var items = new LinkResponse[found.Count];
            for (var i = 0; i < items.Length; i++)
            {
                items[i] = AdminResults.ToResponse(found[i], counters[i], context, options.Value, now);
            }

            var next = reachedEnd || position is null ? null : PageCursor.ForLink(position.Value);
            return TypedResults.Ok(new LinkListResponse(items, next));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return AdminResults.StoreUnavailable(context);
        }
    }

    private static bool Matches(Link link, string? bucket, string? tag, string? state, string? q, DateTimeOffset now)
    {
        if (q is not null && !Contains(link, q))
        {
            return false;
        }

        if (bucket is not null && !string.Equals(link.Bucket, bucket, StringComparison.Ordinal))
        {
            return false;
        }

        if (tag is not null && !ContainsTag(link.Tags, tag))
        {
            return false;
        }

        return state is null || string.Equals(EffectiveState.Of(link, now), state, StringComparison.Ordinal);
    }

    /// <summary>The text search a person types: in the code, the object key or any tag, ignoring case.</summary>
    private static bool Contains(Link link, string q)
    {
        if (link.Code.Contains(q, StringComparison.OrdinalIgnoreCase) || link.Key.Contains(q, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var tag in link.Tags)
        {
            if (tag.Contains(q, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ContainsTag(IReadOnlyList<string> tags, string tag)
    {
        for (var i = 0; i < tags.Count; i++)
        {
            if (string.Equals(tags[i], tag, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
