using System.Diagnostics;
using System.Net;
using Gateway.Buckets;
using Gateway.Hosting;
using Gateway.Links;
using Gateway.Metering;
using Gateway.Oss;
using Gateway.Telemetry;
using Gateway.Webhooks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Downloads;

/// <summary><c>GET|HEAD /{code}</c>: resolve, check, count, then stream (proxy) or redirect, and report.</summary>
internal sealed partial class DownloadHandler(
    ILinkStore links,
    DownloadLimiter limiter,
    BucketRegistry buckets,
    IHttpForwarder forwarder,
    UpstreamClient upstream,
    OssForwardTransformer transformer,
    RedirectResponder redirects,
    ObjectProbe probe,
    InFlightDownloads inFlight,
    DownloadMeter meter,
    LinkEndEvents linkEvents,
    PreviewBots previewBots,
    PreviewPage previewPage,
    TimeProvider time,
    IOptions<GatewayOptions> options,
    ILogger<DownloadHandler> logger)
{
    /// <summary>
    /// HTTP/1.1 to OSS (HTTP/2 is not confirmed there, PITFALLS 10). No total timeout: a download
    /// may take hours; the activity timeout (<c>Gateway:Downloads:UpstreamActivityTimeout</c>) only
    /// ends a transfer that has stalled, or an OSS that never sends its headers (PITFALLS 8).
    /// </summary>
    private readonly ForwarderRequestConfig _requestConfig = new()
    {
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        ActivityTimeout = options.Value.Downloads.UpstreamActivityTimeout,
    };

    public async Task HandleAsync(HttpContext context)
    {
        var code = (string?)context.Request.RouteValues["code"];
        if (code is null || !LinkCode.IsWellFormed(code))
        {
            await DownloadResponses.NotFound(context).ConfigureAwait(false);
            return;
        }

        if (OssForwardTransformer.HasMalformedForwardedHeader(context.Request.Headers))
        {
            await DownloadResponses.WriteAsync(context, StatusCodes.Status400BadRequest, "The request has a Range or If-* header that is not valid HTTP.").ConfigureAwait(false);
            return;
        }

        try
        {
            await ServeAsync(context, code).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            // Fail closed: a link whose state cannot be read (or counted) is never served.
            Log.StoreUnavailable(logger, ex);
            if (!context.Response.HasStarted)
            {
                await DownloadResponses.StoreUnavailable(context).ConfigureAwait(false);
            }
        }
    }

    private async Task ServeAsync(HttpContext context, string code)
    {
        // Taken before the link is read, so changes the revocation watcher reads after it are re-checked for this download.
        var generation = inFlight.Generation;
        var link = await ResolveAsync(code).ConfigureAwait(false);
        if (link is null)
        {
            await DownloadResponses.NotFound(context).ConfigureAwait(false);
            return;
        }

        var now = time.GetUtcNow();
        if (LinkPolicy.Check(link, now, ClientAddress.Of(context)) is { } denial)
        {
            if (denial == LinkPolicy.Expired)
            {
                // Raised here, on the refusal, and only queued: a served download never pays for it.
                linkEvents.RaiseExpired(link);
            }

            await DownloadResponses.Deny(context, denial).ConfigureAwait(false);
            return;
        }

        if (!buckets.TryGet(link.Bucket, out var bucket))
        {
            Log.UnknownBucket(logger, link.Bucket);
            await DownloadResponses.WriteAsync(context, StatusCodes.Status502BadGateway, "The storage behind this link is not available.").ConfigureAwait(false);
            return;
        }

        if (previewBots.GetsPage(context.Request, link))
        {
            // A chat app building a link preview: a page about the file, never its bytes, never a counted download.
            await previewPage.WriteAsync(context, link, bucket).ConfigureAwait(false);
            return;
        }

        var (admitted, countedSession, countedLast) = await AdmitAsync(context, link, now).ConfigureAwait(false);
        if (!admitted)
        {
            return;
        }

        if (link.Mode == DeliveryMode.Redirect)
        {
            if (await RedirectAsync(context, link, bucket, countedSession).ConfigureAwait(false) && countedLast)
            {
                linkEvents.RaiseExhausted(link.Code);
            }

            return;
        }

        var servedBody = await ForwardAsync(context, link, bucket, generation, countedLast).ConfigureAwait(false);
        if (countedSession is not null && !servedBody)
        {
            // 304, 412, 416 or an upstream error: nothing was downloaded, so the count is given back.
            await limiter.ReleaseAsync(link.Code, countedSession).ConfigureAwait(false);
        }
    }

    private async Task<Link?> ResolveAsync(string code)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = GatewayDiagnostics.StartResolve();
        try
        {
            var link = await links.GetForDownloadAsync(code).ConfigureAwait(false);
            meter.LinkResolved(link is null ? ResolveOutcome.NotFound : ResolveOutcome.Found, Stopwatch.GetElapsedTime(started));
            return link;
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "link store unreachable");
            meter.LinkResolved(ResolveOutcome.StoreError, Stopwatch.GetElapsedTime(started));
            throw;
        }
    }

    /// <summary>
    /// Applies the download limit. Only GETs count, once per session, atomically; HEAD and prefetch
    /// never count. Returns the session id when this request was counted, so it can be given back,
    /// and whether its count was the link's last allowed one. A ValueTask: a link without a limit, the
    /// common case, is admitted without awaiting anything, and then nothing is allocated.
    /// </summary>
    private async ValueTask<(bool Admitted, string? CountedSession, bool CountedLast)> AdmitAsync(HttpContext context, Link link, DateTimeOffset now)
    {
        if (link.MaxDownloads is null)
        {
            return (true, null, false);
        }

        if (DownloadSession.IsPrefetch(context.Request))
        {
            // A speculative fetch must not use up a limited link; browsers drop a failed prefetch
            // and fetch for real when the person actually clicks.
            await DownloadResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Download-limited links are not served to prefetch requests.").ConfigureAwait(false);
            return (false, null, false);
        }

        var window = options.Value.Downloads.SessionWindow;
        var session = DownloadSession.IdOf(context);
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            if (LinkPolicy.IsExhausted(link) && !await Limiting(limiter.HasSessionAsync(link.Code, session, now, window)).ConfigureAwait(false))
            {
                await DownloadResponses.Deny(context, LinkPolicy.Exhausted).ConfigureAwait(false);
                return (false, null, false);
            }

            return (true, null, false);
        }

        switch (await Limiting(limiter.TryCountAsync(link.Code, session, now, window)).ConfigureAwait(false))
        {
            case CountResult.Counted:
                return (true, session, false);
            case CountResult.CountedLast:
                return (true, session, true);
            case CountResult.SameSession:
                return (true, null, false);
            case CountResult.Exhausted:
                await DownloadResponses.Deny(context, LinkPolicy.Exhausted).ConfigureAwait(false);
                return (false, null, false);
            default:
                await DownloadResponses.Deny(context, LinkPolicy.Revoked).ConfigureAwait(false);
                return (false, null, false);
        }
    }

    /// <summary>A limiter round trip; its store failures are counted here (the lookup counts its own).</summary>
    private async Task<T> Limiting<T>(Task<T> step)
    {
        try
        {
            return await step.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            meter.StoreError("limit");
            throw;
        }
    }

    /// <summary>Answers with the redirect; false when it did not and the count (if any) was given back.</summary>
    private async Task<bool> RedirectAsync(HttpContext context, Link link, OssBucket bucket, string? countedSession)
    {
        if (link.PinnedETag is { } pinned)
        {
            // OSS has no If-Match in URLs, so the pin is checked here, at the click.
            ObjectProbeResult probed;
            try
            {
                probed = await probe.HeadAsync(bucket, link.Key, link.VersionId, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OssCredentialsUnavailableException ex)
            {
                await ReleaseAsync(link, countedSession).ConfigureAwait(false);
                await CredentialsUnavailableAsync(context, bucket, ex).ConfigureAwait(false);
                return false;
            }

            if (probed.Status != HttpStatusCode.OK || !string.Equals(probed.ETag, pinned, StringComparison.Ordinal))
            {
                if (countedSession is not null)
                {
                    await limiter.ReleaseAsync(link.Code, countedSession).ConfigureAwait(false);
                }

                await (probed.Status == HttpStatusCode.NotFound
                    ? DownloadResponses.WriteAsync(context, StatusCodes.Status404NotFound, "The file behind this link no longer exists.")
                    : DownloadResponses.Deny(context, LinkPolicy.Changed)).ConfigureAwait(false);
                return false;
            }
        }

        var started = Stopwatch.GetTimestamp();
        var isGet = HttpMethods.IsGet(context.Request.Method);
        if (isGet)
        {
            meter.DownloadStarted(link);
        }

        // Every start is matched by one finish, or the active-downloads gauge would drift.
        var outcome = DownloadOutcome.NoBody;
        var redirected = false;
        try
        {
            redirects.Respond(context, link, bucket);
            redirected = true;
            outcome = isGet ? DownloadOutcome.Completed : DownloadOutcome.NoBody;
        }
        catch (OssCredentialsUnavailableException ex)
        {
            await ReleaseAsync(link, countedSession).ConfigureAwait(false);
            await CredentialsUnavailableAsync(context, bucket, ex).ConfigureAwait(false);
        }
        finally
        {
            meter.DownloadFinished(new DownloadRecord(
                link,
                context.Request.Method,
                context.Response.StatusCode,
                outcome,
                BytesSent: 0,
                Stopwatch.GetElapsedTime(started),
                TimeToFirstByte: null,
                context.Request.Headers.Range,
                context.Connection.RemoteIpAddress));
        }

        return redirected;
    }

    /// <summary>
    /// Streams the object through YARP; true when the client was sent the object's bytes. When this
    /// download took the link's last count, the link is announced as used up as soon as that count
    /// stands: when the object's bytes start (before that, a 304 or an error gives the count back).
    /// </summary>
    private async Task<bool> ForwardAsync(HttpContext context, Link link, OssBucket bucket, long generation, bool countedLast)
    {
        var download = new DownloadFeature(link, bucket);
        var exhaustion = countedLast ? new ExhaustionNotice(linkEvents, download) : null;
        if (exhaustion is not null)
        {
            context.Response.OnStarting(ExhaustionNotice.OnResponseStarting, exhaustion);
        }

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
        var error = ForwarderError.RequestCanceled;
        var registration = inFlight.Register(link, generation, context);
        try
        {
            error = await forwarder.SendAsync(context, bucket.Endpoint.Endpoint.OriginalString, upstream.Invoker, _requestConfig, transformer).ConfigureAwait(false);
            if (download.CredentialsRejected && error == ForwarderError.None && !response.HasStarted
                && await bucket.Credentials.RenewAfterRejectionAsync(download.SignedWith!, context.RequestAborted).ConfigureAwait(false))
            {
                // Nothing reached the client and a GET or HEAD can be sent again: once, with the renewed credentials.
                Log.RetryingWithRenewedCredentials(logger, bucket.Alias);
                download.PrepareRetryAfterRejection();
                response.StatusCode = StatusCodes.Status200OK;
                error = await forwarder.SendAsync(context, bucket.Endpoint.Endpoint.OriginalString, upstream.Invoker, _requestConfig, transformer).ConfigureAwait(false);
            }

            if (download.CredentialsUnavailable is { } unavailable)
            {
                await CredentialsUnavailableAsync(context, bucket, unavailable).ConfigureAwait(false);
            }
            else if (download.CredentialsRejected)
            {
                Log.CredentialsRejected(logger, bucket.Alias);
                await DownloadResponses.WriteAsync(context, StatusCodes.Status502BadGateway, "The storage service could not deliver the file.").ConfigureAwait(false);
            }
            else if (error != ForwarderError.None && !response.HasStarted)
            {
                await AnswerForwarderErrorAsync(context, error).ConfigureAwait(false);
            }
        }
        finally
        {
            response.Body = originalBody;
            registration.Dispose();
            if (registration.StoppedByRevocation)
            {
                Log.StoppedByRevocation(logger);
            }

            // Every start is matched by one finish, or the active-downloads gauge would drift.
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
                download.TimeToFirstByte,
                context.Request.Headers.Range,
                context.Connection.RemoteIpAddress));

            // The body may have been due without the response ever starting (the client left first): the count stands all the same.
            exhaustion?.RaiseIfServed();
        }

        return download.ServesBody;
    }

    /// <summary>
    /// Raises link.exhausted once for the download that took the last count, when its count stands
    /// (it serves the object's bytes). Made only for that one download; both callers run on the request's flow, one after the other.
    /// </summary>
    private sealed class ExhaustionNotice(LinkEndEvents events, DownloadFeature download)
    {
        private bool _raised;

        public static Task OnResponseStarting(object state)
        {
            ((ExhaustionNotice)state).RaiseIfServed();
            return Task.CompletedTask;
        }

        public void RaiseIfServed()
        {
            if (!_raised && download.ServesBody)
            {
                _raised = true;
                events.RaiseExhausted(download.Link.Code);
            }
        }
    }

    private Task ReleaseAsync(Link link, string? countedSession) =>
        countedSession is null ? Task.CompletedTask : limiter.ReleaseAsync(link.Code, countedSession);

    private Task CredentialsUnavailableAsync(HttpContext context, OssBucket bucket, OssCredentialsUnavailableException exception)
    {
        Log.CredentialsUnavailable(logger, bucket.Alias, exception.Message);
        context.Response.Headers.RetryAfter = "10";
        return DownloadResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Downloads from this storage are briefly unavailable. Please try again shortly.");
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

        [LoggerMessage(EventId = 2104, Level = LogLevel.Information, Message = "A download in progress was stopped because its link was revoked")]
        public static partial void StoppedByRevocation(ILogger logger);

        [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "OSS refused bucket {Bucket}'s credentials; renewed them and retrying once")]
        public static partial void RetryingWithRenewedCredentials(ILogger logger, string bucket);

        [LoggerMessage(EventId = 2106, Level = LogLevel.Error, Message = "OSS refused bucket {Bucket}'s credentials and they could not be renewed in time; answering 502")]
        public static partial void CredentialsRejected(ILogger logger, string bucket);

        [LoggerMessage(EventId = 2107, Level = LogLevel.Error, Message = "Bucket {Bucket} has no usable credentials; answering 503: {Reason}")]
        public static partial void CredentialsUnavailable(ILogger logger, string bucket, string reason);
    }
}
