using System.Diagnostics;
using System.Net;
using Gateway.Buckets;
using Gateway.Links;
using Gateway.Metering;
using Gateway.Telemetry;
using StackExchange.Redis;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Downloads;

/// <summary><c>GET|HEAD /{code}</c>: resolve, check, sign, stream, count.</summary>
internal sealed partial class DownloadHandler(
    ILinkStore links,
    BucketRegistry buckets,
    IHttpForwarder forwarder,
    UpstreamClient upstream,
    OssForwardTransformer transformer,
    DownloadMeter meter,
    ILogger<DownloadHandler> logger)
{
    /// <summary>
    /// HTTP/1.1 to OSS (HTTP/2 is not confirmed there, PITFALLS 10). No total timeout: a download
    /// may take hours; the activity timeout only ends a transfer that has stalled (PITFALLS 8).
    /// </summary>
    private static readonly ForwarderRequestConfig RequestConfig = new()
    {
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        ActivityTimeout = TimeSpan.FromSeconds(100),
    };

    public async Task HandleAsync(HttpContext context, string code)
    {
        if (!LinkCode.IsWellFormed(code))
        {
            await DownloadResponses.NotFound(context).ConfigureAwait(false);
            return;
        }

        Link? link;
        var resolveStarted = Stopwatch.GetTimestamp();
        using (var resolveActivity = GatewayDiagnostics.StartResolve())
        {
            try
            {
                link = await links.GetAsync(code).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                // Fail closed: a link whose state cannot be read is never served.
                resolveActivity?.SetStatus(ActivityStatusCode.Error, "link store unreachable");
                meter.LinkResolved(ResolveOutcome.StoreError, Stopwatch.GetElapsedTime(resolveStarted));
                Log.StoreUnavailable(logger, ex);
                await DownloadResponses.StoreUnavailable(context).ConfigureAwait(false);
                return;
            }
        }

        meter.LinkResolved(link is null ? ResolveOutcome.NotFound : ResolveOutcome.Found, Stopwatch.GetElapsedTime(resolveStarted));
        if (link is null)
        {
            await DownloadResponses.NotFound(context).ConfigureAwait(false);
            return;
        }

        if (link.State == LinkState.Revoked)
        {
            await DownloadResponses.WriteAsync(context, StatusCodes.Status410Gone, "This link has been revoked by its owner.").ConfigureAwait(false);
            return;
        }

        if (!buckets.TryGet(link.Bucket, out var bucket))
        {
            Log.UnknownBucket(logger, link.Bucket);
            await DownloadResponses.WriteAsync(context, StatusCodes.Status502BadGateway, "The storage behind this link is not available.").ConfigureAwait(false);
            return;
        }

        await ForwardAsync(context, link, bucket).ConfigureAwait(false);
    }

    private async Task ForwardAsync(HttpContext context, Link link, OssBucket bucket)
    {
        var download = new DownloadFeature(link, bucket);
        context.Features.Set(download);
        var response = context.Response;
        var originalBody = response.Body;
        var countingBody = new CountingStream(originalBody);
        response.Body = countingBody;
        var isGet = HttpMethods.IsGet(context.Request.Method);
        if (isGet)
        {
            meter.DownloadStarted(link);
        }

        download.ForwardedAt = Stopwatch.GetTimestamp();
        ForwarderError error;
        try
        {
            error = await forwarder.SendAsync(context, bucket.Endpoint.Endpoint.OriginalString, upstream.Invoker, RequestConfig, transformer).ConfigureAwait(false);
            if (error != ForwarderError.None && !response.HasStarted)
            {
                await AnswerForwarderErrorAsync(context, error).ConfigureAwait(false);
            }
        }
        finally
        {
            response.Body = originalBody;
        }

        var outcome = !download.ServesBody || !isGet ? DownloadOutcome.NoBody
            : error == ForwarderError.None ? DownloadOutcome.Completed
            : DownloadOutcome.Aborted;
        meter.DownloadFinished(new DownloadRecord(
            link,
            context.Request.Method,
            response.StatusCode,
            outcome,
            countingBody.BytesWritten,
            Stopwatch.GetElapsedTime(download.ForwardedAt),
            download.TimeToFirstByte));
    }

    private Task AnswerForwarderErrorAsync(HttpContext context, ForwarderError error)
    {
        var exception = context.GetForwarderErrorFeature()?.Exception;
        switch (error)
        {
            case ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled:
                // The client went away; nobody is left to answer.
                return Task.CompletedTask;
            case ForwarderError.RequestTimedOut:
                Log.UpstreamFailed(logger, error, exception);
                return DownloadResponses.WriteAsync(context, StatusCodes.Status504GatewayTimeout, "The storage service did not answer in time.");
            default:
                Log.UpstreamFailed(logger, error, exception);
                return DownloadResponses.WriteAsync(context, StatusCodes.Status502BadGateway, "The storage service could not be reached.");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Link store unreachable; answering 503")]
        public static partial void StoreUnavailable(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "A link names bucket alias {Bucket}, which is not configured")]
        public static partial void UnknownBucket(ILogger logger, string bucket);

        [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Forwarding to OSS failed: {Error}")]
        public static partial void UpstreamFailed(ILogger logger, ForwarderError error, Exception? exception);
    }
}
