namespace Gateway.Metering;

/// <summary>
/// Counts as the stats API shows them. <c>downloads</c> are completed downloads, as in the link itself;
/// <c>previews</c> are pages served to link-preview bots instead of the object.
/// </summary>
internal sealed record StatsCounts(long Started, long Downloads, long Aborted, long Bytes, DateTimeOffset? LastDownloadAt, long Previews)
{
    public static StatsCounts From(Counts counts, DateTimeOffset? lastDownloadAt) =>
        new(counts.Started, counts.Downloads, counts.Aborted, counts.Bytes, lastDownloadAt, counts.Previews);
}

/// <summary>One UTC day of a link.</summary>
internal sealed record DayStats(DateOnly Day, long Started, long Downloads, long Aborted, long Bytes, long Previews);

/// <summary><c>GET /api/v1/links/{code}/stats</c>: all-time totals and one entry for every day of the range.</summary>
internal sealed record LinkStatsResponse(string Code, DateOnly From, DateOnly To, StatsCounts Totals, IReadOnlyList<DayStats> Days);

internal sealed record BucketStats(string Bucket, long Started, long Downloads, long Aborted, long Bytes, DateTimeOffset? LastDownloadAt, long Previews);

/// <summary><c>GET /api/v1/stats/buckets</c>: all-time totals per bucket alias, or one day's when <c>day</c> is given.</summary>
internal sealed record BucketStatsResponse(DateOnly? Day, IReadOnlyList<BucketStats> Buckets);

internal sealed record TopLink(int Rank, string Code, long Bytes, long Downloads);

/// <summary><c>GET /api/v1/stats/top</c>: a day's best links by bytes or by completed downloads.</summary>
internal sealed record TopLinksResponse(DateOnly Day, string By, IReadOnlyList<TopLink> Links);
