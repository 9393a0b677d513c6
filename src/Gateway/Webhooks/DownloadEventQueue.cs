using System.Threading.Channels;
using Gateway.Metering;

namespace Gateway.Webhooks;

/// <summary>
/// The hand-off of finished downloads from the request path to <see cref="DownloadEventWriter"/>.
/// </summary>
/// <remarks>
/// Threads: <see cref="Offer"/> runs on the request's thread, in <see cref="DownloadMeter.DownloadFinished"/>,
/// once per finished download. When no endpoint subscribes to <c>download.*</c> it reads one flag and
/// returns; otherwise it copies the record (a struct) into a bounded channel, never waiting and never
/// building JSON or touching the store. The writer's single loop is the only reader.
/// </remarks>
internal sealed class DownloadEventQueue(IWebhookPublisher publisher)
{
    /// <summary>Records waiting for the writer. A full queue drops (and counts) rather than hold a download up.</summary>
    public const int Capacity = 10_000;

    private readonly Channel<DownloadRecord> _records = Channel.CreateBounded<DownloadRecord>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        SingleWriter = false,
        // Wait makes TryWrite answer false when full (DropWrite would claim success), so drops are counted.
        FullMode = BoundedChannelFullMode.Wait,
    });

    private long _dropped;

    public ChannelReader<DownloadRecord> Reader => _records.Reader;

    /// <summary>Queues the record for a download.completed or download.aborted event, when anyone listens. Request thread; never blocks.</summary>
    public void Offer(in DownloadRecord record)
    {
        if (record.Outcome == DownloadOutcome.NoBody || !publisher.WantsDownloadEvents)
        {
            return;
        }

        if (!_records.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Records refused since the last call (the queue was full).</summary>
    public long TakeDropped() => Interlocked.Exchange(ref _dropped, 0);

    /// <summary>No more records will come (the host has stopped); lets the writer's last drain end.</summary>
    public void Complete() => _records.Writer.TryComplete();
}
