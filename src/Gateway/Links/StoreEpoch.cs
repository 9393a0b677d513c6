using System.Globalization;
using StackExchange.Redis;

namespace Gateway.Links;

/// <summary>
/// Fences link reads off a former primary, under Sentinel. When a write is confirmed on a primary with
/// no replica while another node of the set could not be reached (<see cref="ReplicatedWrites"/>), that
/// node may come back later still a primary and without the write: a partition that heals, a frozen
/// process that resumes, a restart from its snapshot. StackExchange.Redis does not prefer the primary
/// Sentinel names when two claim the role, so until Sentinel demotes it a gateway may read from it and
/// serve a link revoked meanwhile. So such a confirmation first raises <c>gw:epoch</c> on the primary,
/// every download's link read takes the epoch of the node it read from in the same round trip, and a
/// read from a node behind the highest epoch this process has seen is refused (503) instead of served.
/// </summary>
/// <remarks>
/// A process protects its reads once it has read the raised epoch: one that read nothing between the
/// confirmation and the old node's return (idle, or just started) is not fenced. A node that stays behind
/// for longer than <see cref="Patience"/> is not a former primary awaiting demotion (Sentinel demotes one
/// within seconds) but a store whose epoch was reset (flushed, restored): its epoch is taken as the new
/// highest rather than refusing every read for good.
/// </remarks>
internal sealed class StoreEpoch(bool fenced, TimeProvider time)
{
    /// <summary>How long a node behind the highest epoch is refused before its epoch is taken as a reset.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Lock _lock = new();
    private long _highest;
    private long _behindSince;

    /// <summary>True under Sentinel: link reads for downloads carry the node's epoch.</summary>
    public bool IsFenced => fenced;

    /// <summary>The epoch a primary was raised to, by this process.</summary>
    public void Raised(long epoch)
    {
        lock (_lock)
        {
            Volatile.Write(ref _highest, Math.Max(_highest, epoch));
        }
    }

    /// <summary>Checks the epoch a read came with (<c>GET gw:epoch</c> in the same round trip).</summary>
    /// <exception cref="StaleNodeException">The node is behind an epoch this process has already seen.</exception>
    public void Check(RedisValue epoch)
    {
        // An absent key reads as 0, the epoch of a store whose primary never lost a node.
        var value = (long)epoch;
        if (value == Volatile.Read(ref _highest) && Volatile.Read(ref _behindSince) == 0)
        {
            // Every read from an up-to-date node: nothing to change, so no lock on the download path.
            return;
        }

        long highest;
        lock (_lock)
        {
            highest = _highest;
            if (value >= highest)
            {
                Volatile.Write(ref _highest, value);
                Volatile.Write(ref _behindSince, 0);
                return;
            }

            var now = time.GetTimestamp();
            if (_behindSince == 0)
            {
                _behindSince = now;
            }
            else if (time.GetElapsedTime(_behindSince, now) > Patience)
            {
                Volatile.Write(ref _highest, value);
                Volatile.Write(ref _behindSince, 0);
                return;
            }
        }

        throw new StaleNodeException(string.Create(CultureInfo.InvariantCulture,
            $"The store node answered with epoch {value}, behind {highest} already seen: it is a former primary that missed confirmed writes, and is not read until Sentinel demotes it."));
    }
}

/// <summary>A read came from a node behind the store's epoch: answered like an unreachable store (503), never served.</summary>
internal sealed class StaleNodeException(string message) : RedisException(message);
