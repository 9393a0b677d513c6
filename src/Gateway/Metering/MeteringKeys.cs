using System.Globalization;
using Gateway.Links;
using StackExchange.Redis;

namespace Gateway.Metering;

/// <summary>
/// Where metering keeps its numbers. Every script touches keys of one Redis Cluster slot only
/// (PITFALLS 17): a link's keys share its hash tag <c>{code}</c>; bucket totals and each day's top
/// lists have slots of their own. Their hash tags contain ':', which a link code never does, so
/// they can never collide with a link's keys (a link may well be called <c>buckets</c>).
/// </summary>
internal static class MeteringKeys
{
    public const string Started = "started";

    /// <summary>Completed downloads; the admin API reads this field as the link's <c>downloads</c>.</summary>
    public const string Downloads = "downloads";

    public const string Aborted = "aborted";

    /// <summary>Body bytes sent; the admin API reads this field as the link's <c>bytes</c>.</summary>
    public const string Bytes = "bytes";

    /// <summary>Preview pages served to link-preview bots.</summary>
    public const string Previews = "previews";

    /// <summary>Unix milliseconds of the most recent download start.</summary>
    public const string LastDownloadAt = "lastDownloadAt";

    /// <summary>
    /// Prefix of the fields that remember the last write applied from each gateway process, so a
    /// write retried after an unclear failure is applied once. '~' cannot start a counter field or
    /// appear in a bucket alias.
    /// </summary>
    public const string AppliedPrefix = "~applied:";

    /// <summary>Per-link totals; the link store deletes this key with the link.</summary>
    public static RedisKey LinkTotals(string code) => RedisKeys.Counters(code);

    /// <summary>One link's counts of one UTC day, expiring after the retention.</summary>
    public static RedisKey LinkDay(string code, DateOnly day) => $"gw:{{{code}}}:day:{Format(day)}";

    /// <summary>All buckets' totals in one hash, fields <c>alias:counter</c>.</summary>
    public static readonly RedisKey BucketTotals = "gw:{stats:buckets}:totals";

    public static RedisKey BucketDay(DateOnly day) => $"gw:{{stats:buckets}}:day:{Format(day)}";

    /// <summary>Sorted set of the day's links by body bytes.</summary>
    public static RedisKey TopBytes(DateOnly day) => $"gw:{{stats:top:{Format(day)}}}:bytes";

    /// <summary>Sorted set of the day's links by completed downloads.</summary>
    public static RedisKey TopDownloads(DateOnly day) => $"gw:{{stats:top:{Format(day)}}}:downloads";

    /// <summary>The last write applied to the day's top lists from each gateway process.</summary>
    public static RedisKey TopApplied(DateOnly day) => $"gw:{{stats:top:{Format(day)}}}:applied";

    /// <summary><c>yyyyMMdd</c>: sorts by date and reads as one.</summary>
    public static string Format(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The UTC day of an instant.</summary>
    public static DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(instant.UtcDateTime);

    /// <summary>
    /// When a day's keys expire: the end of the last day the retention covers, plus one day of grace so
    /// a reader at the edge of the window never finds a day half gone. Unix seconds, for EXPIREAT.
    /// </summary>
    public static long ExpireAt(DateOnly day, int retentionDays) =>
        new DateTimeOffset(day.AddDays(retentionDays + 1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds();
}
