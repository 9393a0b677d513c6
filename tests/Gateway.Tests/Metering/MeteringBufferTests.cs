using Gateway.Metering;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Metering;

public sealed class MeteringBufferTests
{
    private static readonly DateOnly Day = new(2026, 11, 28);

    private static MeteringBuffer Buffer(int capacity = 100) => new(Options.Create(new MeteringOptions { MaxPendingEntries = capacity }));

    [Fact]
    public void Reports_of_one_link_and_day_add_up_into_one_entry()
    {
        var buffer = Buffer();
        buffer.TryAdd(new LinkDay("abc", Day), new Tally { Bucket = "media", Started = 1, LastDownloadAt = 2000 });
        buffer.TryAdd(new LinkDay("abc", Day), new Tally { Bucket = "media", Downloads = 1, Bytes = 10 });
        buffer.TryAdd(new LinkDay("abc", Day), new Tally { Bucket = "media", Started = 1, LastDownloadAt = 1000 });

        var tally = Assert.Single(buffer.Drain()).Value;

        Assert.Equal((2L, 1L, 0L, 10L, 2000L), (tally.Started, tally.Downloads, tally.Aborted, tally.Bytes, tally.LastDownloadAt));
        Assert.Equal("media", tally.Bucket);
    }

    [Fact]
    public void Another_day_is_another_entry()
    {
        var buffer = Buffer();
        buffer.TryAdd(new LinkDay("abc", Day), new Tally { Started = 1 });
        buffer.TryAdd(new LinkDay("abc", Day.AddDays(1)), new Tally { Downloads = 1 });

        Assert.Equal(2, buffer.Drain().Count);
    }

    [Fact]
    public void A_full_buffer_refuses_new_entries_but_still_adds_to_known_ones()
    {
        var buffer = Buffer(capacity: 2);
        Assert.True(buffer.TryAdd(new LinkDay("a", Day), new Tally { Started = 1 }));
        Assert.True(buffer.TryAdd(new LinkDay("b", Day), new Tally { Started = 1 }));

        Assert.False(buffer.TryAdd(new LinkDay("c", Day), new Tally { Started = 1 }));
        Assert.True(buffer.TryAdd(new LinkDay("a", Day), new Tally { Started = 1 }));
        Assert.Equal(1, buffer.TakeDropped());
        Assert.Equal(0, buffer.TakeDropped());

        var drained = buffer.Drain();
        Assert.Equal(2, drained[new LinkDay("a", Day)].Started);
        Assert.False(drained.ContainsKey(new LinkDay("c", Day)));
    }

    [Fact]
    public void Draining_empties_the_buffer_and_frees_its_capacity()
    {
        var buffer = Buffer(capacity: 1);
        buffer.TryAdd(new LinkDay("a", Day), new Tally { Started = 1 });

        Assert.Single(buffer.Drain());
        Assert.Equal(0, buffer.Count);
        Assert.True(buffer.TryAdd(new LinkDay("b", Day), new Tally { Started = 1 }));
    }
}
