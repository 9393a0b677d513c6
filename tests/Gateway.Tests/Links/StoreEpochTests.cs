using Gateway.Links;
using StackExchange.Redis;

namespace Gateway.Tests.Links;

public sealed class StoreEpochTests
{
    [Fact]
    public void A_node_behind_the_highest_epoch_seen_is_refused_and_one_level_with_it_is_read()
    {
        var epoch = new StoreEpoch(fenced: true, new ManualTime());

        epoch.Check(RedisValue.Null);
        epoch.Check(3);
        var behind = Assert.Throws<StaleNodeException>(() => epoch.Check(2));
        epoch.Check(3);

        Assert.IsAssignableFrom<RedisException>(behind);
        Assert.Contains("epoch 2, behind 3", behind.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_epoch_raised_by_this_process_fences_nodes_it_has_not_read_from_yet()
    {
        var epoch = new StoreEpoch(fenced: true, new ManualTime());

        epoch.Raised(5);

        Assert.Throws<StaleNodeException>(() => epoch.Check(RedisValue.Null));
        epoch.Check(5);
    }

    [Fact]
    public void A_node_behind_for_longer_than_the_patience_is_taken_as_a_reset_epoch()
    {
        var time = new ManualTime();
        var epoch = new StoreEpoch(fenced: true, time);
        epoch.Check(7);

        Assert.Throws<StaleNodeException>(() => epoch.Check(RedisValue.Null));
        time.Advance(StoreEpoch.Patience);
        Assert.Throws<StaleNodeException>(() => epoch.Check(RedisValue.Null));
        time.Advance(TimeSpan.FromSeconds(1));
        epoch.Check(RedisValue.Null);
        epoch.Check(1);
        Assert.Throws<StaleNodeException>(() => epoch.Check(0));
    }

    [Fact]
    public void A_node_that_catches_up_restarts_the_patience()
    {
        var time = new ManualTime();
        var epoch = new StoreEpoch(fenced: true, time);
        epoch.Check(4);
        Assert.Throws<StaleNodeException>(() => epoch.Check(3));
        time.Advance(StoreEpoch.Patience);
        epoch.Check(4);

        Assert.Throws<StaleNodeException>(() => epoch.Check(3));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Throws<StaleNodeException>(() => epoch.Check(3));
    }

    /// <summary>A clock the test moves.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
