using System.Globalization;
using Gateway.Admin;
using Gateway.Buckets;
using Gateway.Links;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using StackExchange.Redis;

namespace Gateway.Metering;

/// <summary>
/// The stats API under <c>/api/v1</c> (scope <c>stats:read</c>): per-link daily series, per-bucket
/// totals and each day's top links. JSON by default, CSV when the client asks for <c>text/csv</c>.
/// Days are UTC days, written <c>yyyy-MM-dd</c>, and reach back <c>Gateway:Metering:RetentionDays</c>.
/// </summary>
internal static class StatsApi
{
    private const int DefaultRangeDays = 30;
    private const int DefaultTopLimit = 10;
    private const string DayFormat = "yyyy-MM-dd";
    private static readonly string[] JsonOrCsv = ["application/json", "text/csv"];

    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Stats").RequireAuthorization(ApiScopes.StatsRead);
        api.AddEndpointFilter(static async (context, next) =>
        {
            // Live numbers: no cache may keep them. The body depends on Accept (JSON or CSV).
            var headers = context.HttpContext.Response.Headers;
            headers.CacheControl = "no-store";
            headers.Vary = HeaderNames.Accept;
            return await next(context).ConfigureAwait(false);
        });

        api.MapGet("/links/{code}/stats", GetLinkStatsAsync)
            .WithSummary("A link's totals and its counts for each UTC day from 'from' to 'to' (default: the last 30 days).")
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(LinkStatsResponse), JsonOrCsv))
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/stats/buckets", GetBucketStatsAsync)
            .WithSummary("Counts per bucket alias: all-time totals, or one UTC day's with 'day'.")
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(BucketStatsResponse), JsonOrCsv));
        api.MapGet("/stats/top", GetTopLinksAsync)
            .WithSummary("A UTC day's top links by body bytes or by completed downloads.")
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(TopLinksResponse), JsonOrCsv));
        api.MapBucketDays();
        return app;
    }

    /// <summary>CSV only when asked for more than JSON: <c>Accept: text/csv</c>. Browsers' <c>*/*</c> gets JSON.</summary>
    internal static bool WantsCsv(HttpRequest request)
    {
        double csv = 0, json = 0;
        foreach (var value in request.GetTypedHeaders().Accept)
        {
            var quality = value.Quality ?? 1;
            if (value.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
            {
                csv = Math.Max(csv, quality);
            }
            else if (value.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            {
                json = Math.Max(json, quality);
            }
        }

        return csv > 0 && csv > json;
    }

    private static async Task<Results<Ok<LinkStatsResponse>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> GetLinkStatsAsync(
        string code, string? from, string? to, HttpContext context, ILinkStore links, MeteringStore store, ApiKeyRegistry keys, TimeProvider time, IOptions<MeteringOptions> options)
    {
        var window = RetentionWindow.Of(time, options.Value);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var toDay = ParseDay(to, "to", window.Today, window, errors);
        var fromDay = ParseDay(from, "from", Later(window.Oldest, toDay.AddDays(1 - DefaultRangeDays)), window, errors);
        if (errors.Count == 0 && fromDay > toDay)
        {
            errors["from"] = ["'from' must not be after 'to'."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The date range is not valid.");
        }

        try
        {
            // A link outside the key's data scope looks like no link at all, as in the admin API.
            if (!LinkCode.IsWellFormed(code)
                || await links.GetAsync(code).ConfigureAwait(false) is not { } link
                || !keys.ScopeOf(context.User).Covers(link.Bucket, link.Key))
            {
                return TypedResults.Problem($"No link has the code '{code}'.", statusCode: StatusCodes.Status404NotFound, title: "Link not found");
            }

            var (totals, lastDownloadAt, counts) = await store.ReadLinkAsync(code, fromDay, toDay).ConfigureAwait(false);
            var days = new DayStats[counts.Length];
            for (var i = 0; i < counts.Length; i++)
            {
                var day = counts[i];
                days[i] = new DayStats(fromDay.AddDays(i), day.Started, day.Downloads, day.Aborted, day.Bytes, day.Previews);
            }

            if (WantsCsv(context.Request))
            {
                var csv = new CsvWriter().Field("day").Field("started").Field("downloads").Field("aborted").Field("bytes").Field("previews").EndRecord();
                foreach (var day in days)
                {
                    csv.Field(day.Day).Field(day.Started).Field(day.Downloads).Field(day.Aborted).Field(day.Bytes).Field(day.Previews).EndRecord();
                }

                return TypedResults.Text(csv.ToString(), CsvWriter.ContentType);
            }

            return TypedResults.Ok(new LinkStatsResponse(code, fromDay, toDay, StatsCounts.From(totals, lastDownloadAt), days));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return StoreUnavailable(context);
        }
    }

    private static async Task<Results<Ok<BucketStatsResponse>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> GetBucketStatsAsync(
        string? day, HttpContext context, MeteringStore store, BucketRegistry buckets, ApiKeyRegistry keys, TimeProvider time, IOptions<MeteringOptions> options)
    {
        var window = RetentionWindow.Of(time, options.Value);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        DateOnly? oneDay = day is null ? null : ParseDay(day, "day", window.Today, window, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The day is not valid.");
        }

        try
        {
            var stored = await store.ReadBucketsAsync(oneDay).ConfigureAwait(false);
            foreach (var alias in buckets.Aliases)
            {
                // Configured buckets show up with zeros before their first download.
                stored.TryAdd(alias, default);
            }

            // A bucket's totals include every key in it: only a key that may see the whole bucket
            // (no key-prefix limit) sees them. An empty key is covered exactly when no prefix applies.
            var scope = keys.ScopeOf(context.User);
            var result = new List<BucketStats>(stored.Count);
            foreach (var (alias, (counts, lastDownloadAt)) in stored)
            {
                if (!scope.Covers(alias, ""))
                {
                    continue;
                }

                result.Add(new BucketStats(alias, counts.Started, counts.Downloads, counts.Aborted, counts.Bytes, lastDownloadAt, counts.Previews));
            }

            if (WantsCsv(context.Request))
            {
                var csv = new CsvWriter().Field("bucket").Field("started").Field("downloads").Field("aborted").Field("bytes").Field("lastDownloadAt").Field("previews").EndRecord();
                foreach (var bucket in result)
                {
                    csv.Field(bucket.Bucket).Field(bucket.Started).Field(bucket.Downloads).Field(bucket.Aborted).Field(bucket.Bytes).Field(bucket.LastDownloadAt).Field(bucket.Previews).EndRecord();
                }

                return TypedResults.Text(csv.ToString(), CsvWriter.ContentType);
            }

            return TypedResults.Ok(new BucketStatsResponse(oneDay, result));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return StoreUnavailable(context);
        }
    }

    private static async Task<Results<Ok<TopLinksResponse>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> GetTopLinksAsync(
        string? day, string? by, string? limit, HttpContext context, MeteringStore store, ILinkStore linkStore, ApiKeyRegistry keys, TimeProvider time, IOptions<MeteringOptions> options)
    {
        var settings = options.Value;
        var window = RetentionWindow.Of(time, settings);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var topDay = ParseDay(day, "day", window.Today, window, errors);
        var byBytes = true;
        if (by is not null)
        {
            if (by.Equals("downloads", StringComparison.OrdinalIgnoreCase))
            {
                byBytes = false;
            }
            else if (!by.Equals("bytes", StringComparison.OrdinalIgnoreCase))
            {
                errors["by"] = ["'by' must be 'bytes' or 'downloads'."];
            }
        }

        var maxLimit = settings.TopLinksPerDay;
        var count = Math.Min(DefaultTopLimit, maxLimit);
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > maxLimit))
        {
            errors["limit"] = [$"'limit' must be a whole number from 1 to {maxLimit} (Gateway:Metering:TopLinksPerDay)."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The query is not valid.");
        }

        try
        {
            var links = await RankVisibleAsync(store, linkStore, keys.ScopeOf(context.User), topDay, byBytes, count, maxLimit).ConfigureAwait(false);

            if (WantsCsv(context.Request))
            {
                var csv = new CsvWriter().Field("rank").Field("code").Field("bytes").Field("downloads").EndRecord();
                foreach (var link in links)
                {
                    csv.Field(link.Rank).Field(link.Code).Field(link.Bytes).Field(link.Downloads).EndRecord();
                }

                return TypedResults.Text(csv.ToString(), CsvWriter.ContentType);
            }

            return TypedResults.Ok(new TopLinksResponse(topDay, byBytes ? "bytes" : "downloads", links));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return StoreUnavailable(context);
        }
    }

    /// <summary>
    /// The day's ranking as the key may see it: links that still exist and lie within the key's data
    /// scope, ranked among themselves. The ranking is read page by page, at most as deep as a closed
    /// day keeps (<c>TopLinksPerDay</c>), so a narrow key may see fewer than it asked for.
    /// </summary>
    private static async Task<List<TopLink>> RankVisibleAsync(
        MeteringStore store, ILinkStore linkStore, DataScope scope, DateOnly day, bool byBytes, int count, int depth)
    {
        var visible = new List<TopLink>(count);
        var pageSize = Math.Max(count, 50);
        for (var start = 0; start < depth && visible.Count < count; start += pageSize)
        {
            var page = await store.ReadTopAsync(day, byBytes, start, Math.Min(pageSize, depth - start)).ConfigureAwait(false);
            var lookups = new Task<Link?>[page.Length];
            for (var i = 0; i < page.Length; i++)
            {
                lookups[i] = linkStore.GetAsync(page[i].Code);
            }

            for (var i = 0; i < page.Length && visible.Count < count; i++)
            {
                if (await lookups[i].ConfigureAwait(false) is { } link && scope.Covers(link.Bucket, link.Key))
                {
                    visible.Add(new TopLink(visible.Count + 1, page[i].Code, page[i].Bytes, page[i].Downloads));
                }
            }

            if (page.Length < pageSize)
            {
                break;
            }
        }

        return visible;
    }

    /// <summary>Parses a <c>yyyy-MM-dd</c> day inside the retention window; records an error under the parameter's name otherwise.</summary>
    internal static DateOnly ParseDay(string? text, string name, DateOnly fallback, RetentionWindow window, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!DateOnly.TryParseExact(text, DayFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            errors[name] = [$"'{name}' must be a date written yyyy-MM-dd (a UTC day)."];
            return fallback;
        }

        if (day > window.Today)
        {
            errors[name] = [$"'{name}' must not be after today ({window.Today.ToString(DayFormat, CultureInfo.InvariantCulture)}, UTC)."];
        }
        else if (day < window.Oldest)
        {
            errors[name] = [$"'{name}' must not be before {window.Oldest.ToString(DayFormat, CultureInfo.InvariantCulture)}: daily statistics are kept for {window.Days} days (Gateway:Metering:RetentionDays)."];
        }

        return day;
    }

    internal static DateOnly Later(DateOnly a, DateOnly b) => a > b ? a : b;

    internal static ProblemHttpResult StoreUnavailable(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "5";
        return TypedResults.Problem("The link store is unreachable; try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Link store unavailable");
    }

    /// <summary>The days the store still holds: today (UTC) and the <c>RetentionDays - 1</c> before it.</summary>
    internal readonly record struct RetentionWindow(DateOnly Today, DateOnly Oldest, int Days)
    {
        public static RetentionWindow Of(TimeProvider time, MeteringOptions options)
        {
            var today = MeteringKeys.DayOf(time.GetUtcNow());
            return new RetentionWindow(today, today.AddDays(1 - options.RetentionDays), options.RetentionDays);
        }
    }
}
