using Gateway.Metering;

namespace Gateway.Tests.Metering;

public sealed class MeteringBatchTests
{
    private static readonly DateOnly Monday = new(2026, 11, 23);

    [Fact]
    public void A_batch_has_one_write_per_link_day_one_per_day_for_buckets_and_top_lists_of_links_with_traffic()
    {
        var tallies = new Dictionary<LinkDay, Tally>
        {
            [new("a", Monday)] = new() { Bucket = "media", Started = 2, Downloads = 2, Bytes = 100 },
            [new("b", Monday)] = new() { Bucket = "media", Started = 1, Aborted = 1, Bytes = 7 },
            [new("c", Monday)] = new() { Bucket = "docs", Started = 1 },
            [new("a", Monday.AddDays(1))] = new() { Bucket = "media", Downloads = 1, Bytes = 50 },
        };
        long nextId = 41;

        var batch = MeteringBatch.Create(tallies, ref nextId);

        Assert.Equal(4, batch.Links.Count);
        Assert.Equal([Monday, Monday.AddDays(1)], batch.Buckets.Select(b => b.Day));
        var monday = batch.Buckets[0].Buckets.ToDictionary(b => b.Key, b => b.Value);
        Assert.Equal((3L, 2L, 1L, 107L), (monday["media"].Started, monday["media"].Downloads, monday["media"].Aborted, monday["media"].Bytes));
        Assert.Equal(1, monday["docs"].Started);

        // "c" only started (a 304, say): nothing to rank it by.
        Assert.Equal(["a", "b"], batch.Top[0].Entries.Select(e => e.Code).Order());
        Assert.Equal(Monday.AddDays(1), batch.Top[1].Day);

        var ids = batch.Links.Select(w => w.Id).Concat(batch.Buckets.Select(w => w.Id)).Concat(batch.Top.Select(w => w.Id)).ToArray();
        Assert.Equal(Enumerable.Range(41, 8).Select(i => (long)i), ids.Order());
        Assert.Equal(49, nextId);
        Assert.Equal(4, batch.PendingEntries);
        Assert.False(batch.IsDone);
    }

    [Fact]
    public void A_big_day_is_split_into_top_chunks_in_id_order()
    {
        var tallies = Enumerable.Range(0, MeteringBatch.TopChunkSize + 1)
            .ToDictionary(i => new LinkDay($"link{i}", Monday), _ => new Tally { Bucket = "media", Downloads = 1 });
        long nextId = 1;

        var batch = MeteringBatch.Create(tallies, ref nextId);

        Assert.Equal([MeteringBatch.TopChunkSize, 1], batch.Top.Select(t => t.Entries.Count));
        Assert.True(batch.Top[0].Id < batch.Top[1].Id);
    }
}
