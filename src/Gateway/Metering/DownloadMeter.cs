using Gateway.Links;
using StackExchange.Redis;

namespace Gateway.Metering;

/// <summary>
/// The download path reports here; this class turns reports into per-link counters (in the store)
/// and telemetry. A download counts once its body (whole object or range) was delivered completely;
/// bytes count whatever was sent, also on aborts. HEAD and 304 send no body and count nothing.
/// </summary>
internal sealed partial class DownloadMeter(ILinkStore links, ILogger<DownloadMeter> logger)
{
    /// <summary>After every link lookup on the download path.</summary>
    public void LinkResolved(ResolveOutcome outcome, TimeSpan elapsed)
    {
        _ = outcome;
        _ = elapsed;
    }

    /// <summary>When a GET starts streaming (or redirecting) an object.</summary>
    public void DownloadStarted(Link link) => _ = link;

    /// <summary>When a download request that reached the upstream (or the redirect) has ended.</summary>
    public void DownloadFinished(in DownloadRecord record)
    {
        if (HttpMethods.IsHead(record.Method))
        {
            return;
        }

        var downloads = record.Outcome == DownloadOutcome.Completed ? 1 : 0;
        if (downloads == 0 && record.BytesSent == 0)
        {
            return;
        }

        // Counting must never hold up or fail a download that has already been served.
        _ = WriteAsync(record.Link.Code, downloads, record.BytesSent);
    }

    private async Task WriteAsync(string code, long downloads, long bytes)
    {
        try
        {
            await links.AddToCountersAsync(code, downloads, bytes).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            Log.CountersLost(logger, downloads, bytes, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Could not record {Downloads} download(s) and {Bytes} bytes; the link store is unreachable")]
        public static partial void CountersLost(ILogger logger, long downloads, long bytes, Exception exception);
    }
}
