using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace Gateway.Metering;

/// <summary>One link on one UTC day: the unit counts are buffered and written in.</summary>
internal readonly record struct LinkDay(string Code, DateOnly Day);

/// <summary>Counts not yet written for one link-day (or summed for one bucket).</summary>
internal struct Tally
{
    public string Bucket;
    public long Started;
    public long Downloads;
    public long Aborted;
    public long Bytes;

    /// <summary>Pages served to link-preview bots instead of the object (no download, no session).</summary>
    public long Previews;

    /// <summary>Unix milliseconds of the latest start in the tally; 0 when none.</summary>
    public long LastDownloadAt;

    public void Add(in Tally other)
    {
        Started += other.Started;
        Downloads += other.Downloads;
        Aborted += other.Aborted;
        Bytes += other.Bytes;
        Previews += other.Previews;
        LastDownloadAt = Math.Max(LastDownloadAt, other.LastDownloadAt);
    }
}

/// <summary>
/// Download reports summed per link-day in memory between writes to the store, so a busy link
/// costs one store write per flush rather than one per request (PITFALLS 14). Bounded: once
/// <see cref="MeteringOptions.MaxPendingEntries"/> link-days are waiting, reports for further
/// link-days are refused (the caller counts them as dropped) while known ones still add up.
/// </summary>
internal sealed class MeteringBuffer(IOptions<MeteringOptions> options)
{
    private readonly Lock _gate = new();
    private readonly int _capacity = options.Value.MaxPendingEntries;
    private Dictionary<LinkDay, Tally> _pending = [];
    private long _dropped;

    /// <summary>Link-days waiting for the next flush.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Adds a report; false when the buffer is full and this link-day is not in it yet.</summary>
    public bool TryAdd(LinkDay key, in Tally tally)
    {
        lock (_gate)
        {
            ref var pending = ref CollectionsMarshal.GetValueRefOrNullRef(_pending, key);
            if (Unsafe.IsNullRef(ref pending))
            {
                if (_pending.Count >= _capacity)
                {
                    _dropped++;
                    return false;
                }

                _pending.Add(key, tally);
                return true;
            }

            pending.Add(tally);
            return true;
        }
    }

    /// <summary>Reports refused since the last call.</summary>
    public long TakeDropped()
    {
        lock (_gate)
        {
            var dropped = _dropped;
            _dropped = 0;
            return dropped;
        }
    }

    /// <summary>Takes everything buffered so far; reports from now on go into a fresh buffer.</summary>
    public Dictionary<LinkDay, Tally> Drain()
    {
        lock (_gate)
        {
            var drained = _pending;
            _pending = new Dictionary<LinkDay, Tally>(Math.Min(drained.Count, _capacity));
            return drained;
        }
    }
}
