using Gateway.Links;
using StackExchange.Redis;

namespace Gateway.Metering;

/// <summary>
/// Counts, per link, the downloads served and the body bytes actually sent. A download counts once
/// its body (whole object or range) was delivered completely; bytes count whatever was sent, also
/// on aborts. HEAD and 304 send no body and count nothing.
/// </summary>
internal sealed partial class DownloadMeter(ILinkStore links, ILogger<DownloadMeter> logger)
{
    public void Record(Link link, string method, bool completed, long bytesSent, TimeSpan duration)
    {
        _ = duration;
        if (HttpMethods.IsHead(method))
        {
            return;
        }

        var downloads = completed ? 1 : 0;
        if (downloads == 0 && bytesSent == 0)
        {
            return;
        }

        // Counting must never hold up or fail a download that has already been served.
        _ = WriteAsync(link.Code, downloads, bytesSent);
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
