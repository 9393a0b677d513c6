using Gateway.Links;
using Gateway.Telemetry;
using Gateway.Webhooks;

namespace Gateway.Metering;

/// <summary>
/// The download path reports here; this class turns reports into per-link counters (buffered, then
/// written to the store by <see cref="MeteringWriter"/>) and OpenTelemetry measurements. It never
/// waits on the store: counting must not hold up or fail a download.
/// </summary>
/// <remarks>
/// What counts: <em>started</em> is every GET that went to storage or was redirected (and sets the
/// link's last-download time); <em>completed</em> (the <c>downloads</c> field) is a body, whole object
/// or range, delivered completely, or a redirect; <em>aborted</em> is a body that started but did not
/// finish; <em>bytes</em> are the body bytes written to the client, exact for completed downloads and
/// an upper bound on aborts (PITFALLS 11). A GET answered without the object's bytes (304, 412, 416,
/// a storage error) is started but neither completed nor aborted; HEAD counts nothing. Starts count
/// on the UTC day they happen, completions, aborts and bytes on the day the download ends. <em>Previews</em>
/// are pages served to link-preview bots in place of the object (GET only); they are none of the above.
/// Completed and aborted GETs are also offered to the webhook events (<see cref="DownloadEventQueue"/>),
/// which take them only when an endpoint listens, and build the events on their own thread.
/// </remarks>
internal sealed class DownloadMeter(MeteringBuffer buffer, GatewayMetrics metrics, TimeProvider time, DownloadEventQueue events)
{
    /// <summary>After every link lookup on the download path.</summary>
    public void LinkResolved(ResolveOutcome outcome, TimeSpan elapsed) => metrics.LinkResolved(outcome, elapsed);

    /// <summary>A store failure on the download path outside the lookup (counting a download, giving a count back).</summary>
    public void StoreError(string operation) => metrics.StoreError(operation);

    /// <summary>When a GET starts streaming (or redirecting) an object. Every call is followed by one <see cref="DownloadFinished"/> with method GET.</summary>
    public void DownloadStarted(Link link)
    {
        metrics.DownloadStarted(link.Bucket, LinkHash.Format(link.Mode));
        var now = time.GetUtcNow();
        Count(link, now, new Tally { Started = 1, LastDownloadAt = now.ToUnixTimeMilliseconds() });
    }

    /// <summary>When a link-preview bot was given the preview page (GET) instead of the object: a preview, never a download.</summary>
    public void PreviewServed(Link link)
    {
        metrics.PreviewServed(link.Bucket);
        Count(link, time.GetUtcNow(), new Tally { Previews = 1 });
    }

    /// <summary>When a download request that reached the upstream (or the redirect) has ended.</summary>
    public void DownloadFinished(in DownloadRecord record)
    {
        var isGet = HttpMethods.IsGet(record.Method);
        var link = record.Link;
        metrics.DownloadFinished(link.Bucket, LinkHash.Format(link.Mode), record.Outcome, record.BytesSent, record.Duration, record.TimeToFirstByte, wasStarted: isGet);
        if (!isGet)
        {
            return;
        }

        // Bytes of a NoBody answer are the gateway's own error text, not the object's.
        var tally = record.Outcome switch
        {
            DownloadOutcome.Completed => new Tally { Downloads = 1, Bytes = record.BytesSent },
            DownloadOutcome.Aborted => new Tally { Aborted = 1, Bytes = record.BytesSent },
            _ => default,
        };
        if (tally.Downloads != 0 || tally.Aborted != 0)
        {
            Count(link, time.GetUtcNow(), tally);
            events.Offer(record);
        }
    }

    private void Count(Link link, DateTimeOffset now, Tally tally)
    {
        tally.Bucket = link.Bucket;
        if (!buffer.TryAdd(new LinkDay(link.Code, MeteringKeys.DayOf(now)), tally))
        {
            metrics.MeteringDropped();
        }
    }
}
