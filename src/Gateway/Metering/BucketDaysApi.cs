using Gateway.Admin;
using Gateway.Buckets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Metering;

/// <summary>
/// <c>GET /api/v1/stats/buckets/days</c> (scope <c>stats:read</c>): each bucket's counts for every UTC day
/// of a range, the series behind a traffic chart, read in one pipelined round trip rather than a request
/// per day. Visible buckets follow <c>/stats/buckets</c>: only a key that may see a whole bucket sees its numbers.
/// </summary>
internal static class BucketDaysApi
{
    private const int DefaultRangeDays = 30;

    public static RouteHandlerBuilder MapBucketDays(this RouteGroupBuilder api) =>
        api.MapGet("/stats/buckets/days", GetAsync)
            .WithSummary("Each bucket's counts for every UTC day from 'from' to 'to' (default: the last 30 days).")
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(BucketDaysResponse), ["application/json", "text/csv"]))
            .ProducesValidationProblem();

    private static async Task<Results<Ok<BucketDaysResponse>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> GetAsync(
        string? from, string? to, HttpContext context, MeteringStore store, BucketRegistry buckets, ApiKeyRegistry keys, TimeProvider time, IOptions<MeteringOptions> options)
    {
        var window = StatsApi.RetentionWindow.Of(time, options.Value);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var toDay = StatsApi.ParseDay(to, "to", window.Today, window, errors);
        var fromDay = StatsApi.ParseDay(from, "from", StatsApi.Later(window.Oldest, toDay.AddDays(1 - DefaultRangeDays)), window, errors);
        if (errors.Count == 0 && fromDay > toDay)
        {
            errors["from"] = ["'from' must not be after 'to'."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The date range is not valid.");
        }

        var scope = keys.ScopeOf(context.User);
        var dayCount = toDay.DayNumber - fromDay.DayNumber + 1;
        SortedDictionary<string, (Counts Counts, DateTimeOffset? LastDownloadAt)>[] perDay;
        try
        {
            // One HGETALL per day, all sent before the first answer is awaited: one round trip.
            var reads = new Task<SortedDictionary<string, (Counts, DateTimeOffset?)>>[dayCount];
            for (var i = 0; i < dayCount; i++)
            {
                reads[i] = store.ReadBucketsAsync(fromDay.AddDays(i));
            }

            perDay = await Task.WhenAll(reads).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return StatsApi.StoreUnavailable(context);
        }

        // Configured buckets appear with zeros; buckets only the store remembers appear too, as in /stats/buckets.
        var aliases = new SortedSet<string>(buckets.Aliases, StringComparer.Ordinal);
        foreach (var day in perDay)
        {
            aliases.UnionWith(day.Keys);
        }

        var series = new List<BucketDays>(aliases.Count);
        foreach (var alias in aliases)
        {
            if (!scope.Covers(alias, ""))
            {
                continue;
            }

            var days = new DayStats[dayCount];
            for (var i = 0; i < dayCount; i++)
            {
                var counts = perDay[i].TryGetValue(alias, out var found) ? found.Counts : default;
                days[i] = new DayStats(fromDay.AddDays(i), counts.Started, counts.Downloads, counts.Aborted, counts.Bytes, counts.Previews);
            }

            series.Add(new BucketDays(alias, days));
        }

        if (StatsApi.WantsCsv(context.Request))
        {
            var csv = new CsvWriter().Field("day").Field("bucket").Field("started").Field("downloads").Field("aborted").Field("bytes").Field("previews").EndRecord();
            for (var i = 0; i < dayCount; i++)
            {
                foreach (var bucket in series)
                {
                    var day = bucket.Days[i];
                    csv.Field(day.Day).Field(bucket.Bucket).Field(day.Started).Field(day.Downloads).Field(day.Aborted).Field(day.Bytes).Field(day.Previews).EndRecord();
                }
            }

            return TypedResults.Text(csv.ToString(), CsvWriter.ContentType);
        }

        return TypedResults.Ok(new BucketDaysResponse(fromDay, toDay, series));
    }
}

/// <summary>One bucket's counts for each day of the range, oldest first.</summary>
internal sealed record BucketDays(string Bucket, IReadOnlyList<DayStats> Days);

/// <summary><c>GET /api/v1/stats/buckets/days</c>: every visible bucket, each with one entry per day from <c>from</c> to <c>to</c>.</summary>
internal sealed record BucketDaysResponse(DateOnly From, DateOnly To, IReadOnlyList<BucketDays> Buckets);
