namespace Gateway.Metering;

/// <summary>
/// One flush's worth of counts, split into the store writes that carry them: one per link-day, one
/// per day for the bucket totals, and per day one or more for the top lists. Each write has an id,
/// increasing within the process, and is marked done once the store confirmed it. A batch that
/// failed is retried as it is, with the same ids, before anything newer is written, so each slot
/// sees one process's writes in id order and can skip one it has already applied.
/// </summary>
internal sealed class MeteringBatch
{
    /// <summary>Top-list increments per script call, so one call never holds the store for long.</summary>
    public const int TopChunkSize = 1000;

    private MeteringBatch(List<LinkWrite> links, List<BucketWrite> buckets, List<TopWrite> top)
    {
        Links = links;
        Buckets = buckets;
        Top = top;
    }

    public List<LinkWrite> Links { get; }

    public List<BucketWrite> Buckets { get; }

    /// <summary>Ordered by day, then chunk: a day's chunks must be written one after the other.</summary>
    public List<TopWrite> Top { get; }

    /// <summary>Link-day entries not yet confirmed by the store.</summary>
    public int PendingEntries
    {
        get
        {
            var pending = 0;
            foreach (var write in Links)
            {
                pending += write.Done ? 0 : 1;
            }

            return pending;
        }
    }

    public bool IsDone
    {
        get
        {
            foreach (var write in Links)
            {
                if (!write.Done)
                {
                    return false;
                }
            }

            foreach (var write in Buckets)
            {
                if (!write.Done)
                {
                    return false;
                }
            }

            foreach (var write in Top)
            {
                if (!write.Done)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Marks every write as not done, so the next attempt sends the whole batch again (the store skips what it applied).</summary>
    public void Resend()
    {
        foreach (var write in Links)
        {
            write.Done = false;
        }

        foreach (var write in Buckets)
        {
            write.Done = false;
        }

        foreach (var write in Top)
        {
            write.Done = false;
        }
    }

    /// <summary>Turns drained link-day tallies into writes, numbering them from <paramref name="nextId"/> on.</summary>
    public static MeteringBatch Create(Dictionary<LinkDay, Tally> tallies, ref long nextId)
    {
        var links = new List<LinkWrite>(tallies.Count);
        var bucketsByDay = new SortedDictionary<DateOnly, Dictionary<string, Tally>>();
        var topByDay = new SortedDictionary<DateOnly, List<TopEntry>>();
        foreach (var (key, tally) in tallies)
        {
            links.Add(new LinkWrite(key, tally, nextId++));

            if (!bucketsByDay.TryGetValue(key.Day, out var buckets))
            {
                buckets = new Dictionary<string, Tally>(StringComparer.Ordinal);
                bucketsByDay.Add(key.Day, buckets);
            }

            if (buckets.TryGetValue(tally.Bucket, out var bucketTally))
            {
                bucketTally.Add(tally);
                buckets[tally.Bucket] = bucketTally;
            }
            else
            {
                buckets.Add(tally.Bucket, tally);
            }

            if (tally.Bytes > 0 || tally.Downloads > 0)
            {
                if (!topByDay.TryGetValue(key.Day, out var top))
                {
                    top = [];
                    topByDay.Add(key.Day, top);
                }

                top.Add(new TopEntry(key.Code, tally.Bytes, tally.Downloads));
            }
        }

        var bucketWrites = new List<BucketWrite>(bucketsByDay.Count);
        foreach (var (day, buckets) in bucketsByDay)
        {
            bucketWrites.Add(new BucketWrite(day, [.. buckets], nextId++));
        }

        var topWrites = new List<TopWrite>();
        foreach (var (day, entries) in topByDay)
        {
            for (var offset = 0; offset < entries.Count; offset += TopChunkSize)
            {
                topWrites.Add(new TopWrite(day, entries.GetRange(offset, Math.Min(TopChunkSize, entries.Count - offset)), nextId++));
            }
        }

        return new MeteringBatch(links, bucketWrites, topWrites);
    }
}

internal abstract class MeteringWrite(long id)
{
    public long Id { get; } = id;

    public bool Done { get; set; }
}

internal sealed class LinkWrite(LinkDay key, Tally tally, long id) : MeteringWrite(id)
{
    public LinkDay Key { get; } = key;

    public Tally Tally { get; } = tally;
}

internal sealed class BucketWrite(DateOnly day, KeyValuePair<string, Tally>[] buckets, long id) : MeteringWrite(id)
{
    public DateOnly Day { get; } = day;

    public KeyValuePair<string, Tally>[] Buckets { get; } = buckets;
}

internal sealed class TopWrite(DateOnly day, List<TopEntry> entries, long id) : MeteringWrite(id)
{
    public DateOnly Day { get; } = day;

    public List<TopEntry> Entries { get; } = entries;
}

internal readonly record struct TopEntry(string Code, long Bytes, long Downloads);
