using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Gateway.Buckets;
using Gateway.Links;
using Gateway.Metering;
using Gateway.Oss;
using Microsoft.Net.Http.Headers;

namespace Gateway.Downloads;

/// <summary>
/// What a link-preview bot gets instead of the object (<see cref="PreviewBots"/>): a small HTML page whose Open
/// Graph tags name the file and its size, so the chat shows a card, with none of the object's bytes. The size comes
/// from a signed HEAD (never a GET of the object). The request is no download: it is neither counted against the
/// link's limit nor a download session, and metering counts it as a preview.
/// </summary>
internal sealed partial class PreviewPage(ObjectProbe probe, DownloadMeter meter, ILogger<PreviewPage> logger)
{
    /// <summary>How long the size may take: a preview without it beats a chat app giving up on the card.</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Escapes markup and quotes but keeps letters of every script readable (chat apps show og:title as is).</summary>
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>Nothing may load or run: the page is only read for its meta tags.</summary>
    private const string ContentSecurityPolicy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox";

    public async Task WriteAsync(HttpContext context, Link link, OssBucket bucket)
    {
        if (LinkPolicy.IsExhausted(link))
        {
            // A used-up link is dead for everyone; a card for it would invite clicks that can only fail.
            await DownloadResponses.Deny(context, LinkPolicy.Exhausted).ConfigureAwait(false);
            return;
        }

        var size = await SizeAsync(link, bucket, context.RequestAborted).ConfigureAwait(false);
        if (size is { Status: HttpStatusCode.NotFound })
        {
            await DownloadResponses.WriteAsync(context, StatusCodes.Status404NotFound, "The file behind this link no longer exists.").ConfigureAwait(false);
            return;
        }

        var isGet = HttpMethods.IsGet(context.Request.Method);
        if (isGet)
        {
            meter.PreviewServed(link);
        }

        var body = Encoding.UTF8.GetBytes(Render(ContentDisposition.NameOf(link).ToString(), size?.Status == HttpStatusCode.OK ? size.Value.ContentLength : null));
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = body.Length;
        var headers = response.Headers;
        headers.CacheControl = "no-store";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers["X-Robots-Tag"] = "noindex, nofollow";
        if (isGet)
        {
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    internal static string Render(string fileName, long? size)
    {
        var name = Html.Encode(fileName);
        var description = Html.Encode(size is { } bytes ? $"{FormatSize(bytes)} · download link" : "Download link");
        return $"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>{name}</title>
            <meta name="robots" content="noindex, nofollow">
            <meta property="og:type" content="website">
            <meta property="og:title" content="{name}">
            <meta property="og:description" content="{description}">
            <meta name="twitter:card" content="summary">
            <meta name="twitter:title" content="{name}">
            <meta name="twitter:description" content="{description}">
            </head>
            <body><h1>{name}</h1><p>{description}</p></body>
            </html>

            """;
    }

    /// <summary>Decimal units, as file managers and download dialogs show them: 1.2 MB is 1,200,000 bytes.</summary>
    internal static string FormatSize(long bytes)
    {
        if (bytes < 1000)
        {
            return bytes == 1 ? "1 byte" : string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");
        }

        string[] units = ["KB", "MB", "GB", "TB", "PB", "EB"];
        var value = (double)bytes;
        var unit = -1;
        do
        {
            value /= 1000;
            unit++;
        }
        while (value >= 999.95 && unit < units.Length - 1);

        return string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }

    /// <summary>The object's size by a signed HEAD; null when storage could not tell in time (the page then goes without it).</summary>
    private async Task<ObjectProbeResult?> SizeAsync(Link link, OssBucket bucket, CancellationToken requestAborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            return await probe.HeadAsync(bucket, link.Key, link.VersionId, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OssCredentialsUnavailableException
            || (ex is OperationCanceledException && !requestAborted.IsCancellationRequested))
        {
            Log.SizeUnavailable(logger, bucket.Alias, ex.GetType().Name);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2150, Level = LogLevel.Warning, Message = "A link preview goes without the file size: the HEAD to bucket {Bucket} failed ({Reason})")]
        public static partial void SizeUnavailable(ILogger logger, string bucket, string reason);
    }
}
