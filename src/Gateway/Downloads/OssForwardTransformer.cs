using System.Buffers;
using System.Collections.Frozen;
using System.Diagnostics;
using System.Globalization;
using Gateway.Links;
using Gateway.Oss;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Downloads;

/// <summary>
/// The one transformer of the download path. Requests: an allow-list of client headers, the
/// upstream URI built from the link, and the V4 signature over exactly that. Responses: an
/// allow-list of upstream headers, the link's presentation headers, and OSS errors replaced by the
/// gateway's own answers so no OSS XML (which names the AccessKeyId) ever reaches a client.
/// </summary>
internal sealed partial class OssForwardTransformer(ILogger<OssForwardTransformer> logger) : HttpTransformer
{
    /// <summary>
    /// The only client headers that reach OSS. Everything else, notably Cookie, Authorization,
    /// X-Forwarded-* and any x-oss-* (which would be signed), stays behind (PITFALLS 2).
    /// </summary>
    private static readonly string[] ForwardedRequestHeaders =
    [
        HeaderNames.Range,
        HeaderNames.IfRange,
        HeaderNames.IfMatch,
        HeaderNames.IfNoneMatch,
        HeaderNames.IfModifiedSince,
        HeaderNames.IfUnmodifiedSince,
    ];

    /// <summary>What a forwarded header value may hold: visible ASCII, space and tab (RFC 9110 §5.5 without obs-text).</summary>
    private static readonly SearchValues<char> FieldValueChars =
        SearchValues.Create("\t !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>Upstream headers a client may see. x-oss-*, Server, Set-Cookie and the rest are dropped.</summary>
    private static readonly FrozenSet<string> ForwardedResponseHeaders = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        HeaderNames.ContentType,
        HeaderNames.ContentLength,
        HeaderNames.ContentRange,
        HeaderNames.ContentEncoding,
        HeaderNames.ContentLanguage,
        HeaderNames.AcceptRanges,
        HeaderNames.ETag,
        HeaderNames.LastModified);

    /// <summary>
    /// True when a header this transformer forwards holds a character outside <see cref="FieldValueChars"/>.
    /// HttpClient refuses to send such a value, so forwarding it failed and a client's malformed Range or If-*
    /// header became a 502 and a warning in the log (found by HttpFuzzTests); it is the client's error, a 400.
    /// </summary>
    public static bool HasMalformedForwardedHeader(IHeaderDictionary clientHeaders)
    {
        foreach (var name in ForwardedRequestHeaders)
        {
            if (!clientHeaders.TryGetValue(name, out var values))
            {
                continue;
            }

            foreach (var value in values)
            {
                if (value is not null && value.AsSpan().ContainsAnyExcept(FieldValueChars))
                {
                    return true;
                }
            }
        }

        return false;
    }

    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        // base.TransformRequestAsync is deliberately not called: it would copy every client header.
        var download = httpContext.Features.GetRequiredFeature<DownloadFeature>();
        var clientHeaders = httpContext.Request.Headers;
        var link = download.Link;
        foreach (var name in ForwardedRequestHeaders)
        {
            if (clientHeaders.TryGetValue(name, out var values))
            {
                proxyRequest.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        if (link.PinnedETag is { } pinned)
        {
            // The pin goes upstream as If-Match, so OSS itself refuses a changed object (and a resume
            // can never mix two versions). A client's own If-Match is checked against the pin first.
            download.ClientSentPrecondition = clientHeaders.ContainsKey(HeaderNames.IfMatch) || clientHeaders.ContainsKey(HeaderNames.IfUnmodifiedSince);
            proxyRequest.Headers.Remove(HeaderNames.IfMatch);
            proxyRequest.Headers.TryAddWithoutValidation(HeaderNames.IfMatch, ClientIfMatchAgrees(clientHeaders, pinned) ? pinned : "\"gateway-pin-mismatch\"");
        }

        if (link.TrafficLimit is { } trafficLimit)
        {
            proxyRequest.Headers.TryAddWithoutValidation("x-oss-traffic-limit", trafficLimit.ToString(CultureInfo.InvariantCulture));
        }

        if (clientHeaders.ContainsKey(HeaderNames.Range))
        {
            // By default OSS ignores an unsatisfiable range and sends the whole object with 200;
            // "standard" gives HTTP's answer, 416, and clamps a range that runs past the end.
            proxyRequest.Headers.TryAddWithoutValidation("x-oss-range-behavior", "standard");
        }

        proxyRequest.RequestUri = download.Bucket.Endpoint.BuildObjectUri(link.Key, download.UpstreamQuery);
        try
        {
            download.SignedWith = download.Bucket.Credentials.GetCredentials();
            download.Bucket.Signer.SignRequest(proxyRequest, link.Key, download.UpstreamQuery);
        }
        catch (OssCredentialsUnavailableException ex)
        {
            // A status other than 200 tells the forwarder the response is decided: nothing goes upstream.
            download.CredentialsUnavailable = ex;
            httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null)
        {
            // The forwarder failed before a response arrived; the caller answers.
            return false;
        }

        var download = httpContext.Features.GetRequiredFeature<DownloadFeature>();
        download.TimeToFirstByte = Stopwatch.GetElapsedTime(download.ForwardedAt);
        var status = (int)proxyResponse.StatusCode;
        download.UpstreamStatus = status;
        switch (status)
        {
            case StatusCodes.Status200OK or StatusCodes.Status206PartialContent:
                CopyResponseHeaders(proxyResponse, httpContext.Response);
                Decorate(httpContext.Response, download);
                download.ServesBody = true;
                return true;
            case StatusCodes.Status304NotModified:
                CopyResponseHeaders(proxyResponse, httpContext.Response);
                httpContext.Response.Headers.CacheControl = "private, no-cache";
                return true;
            case StatusCodes.Status412PreconditionFailed when download.Link.PinnedETag is not null && !download.ClientSentPrecondition:
                await DownloadResponses.Deny(httpContext, LinkPolicy.Changed).ConfigureAwait(false);
                return false;
            case StatusCodes.Status412PreconditionFailed:
                await DownloadResponses.WriteAsync(httpContext, status, "The file does not match the conditions of your request (If-Match / If-Unmodified-Since).").ConfigureAwait(false);
                return false;
            case StatusCodes.Status416RangeNotSatisfiable:
                if (proxyResponse.Content.Headers.ContentRange is { } contentRange)
                {
                    httpContext.Response.Headers.ContentRange = contentRange.ToString();
                }

                await DownloadResponses.WriteAsync(httpContext, status, "The requested range is outside the file.").ConfigureAwait(false);
                return false;
            case StatusCodes.Status404NotFound:
                LogUpstreamError(download, proxyResponse);
                await DownloadResponses.WriteAsync(httpContext, status, "The file behind this link no longer exists.").ConfigureAwait(false);
                return false;
            case StatusCodes.Status403Forbidden when !download.IsRetryAfterRejection && await OssErrorBody.IsCredentialsRejectionAsync(proxyResponse, cancellationToken).ConfigureAwait(false):
                // Expired, revoked or rotated credentials: nothing is sent yet, so the handler renews them and retries once.
                download.CredentialsRejected = true;
                return false;
            default:
                // 403 (signature refused, wrong credentials), 400, 5xx: the operator's problem. The client
                // learns only that storage failed; the log has OSS's request id and error code to follow up.
                LogUpstreamError(download, proxyResponse);
                await DownloadResponses.WriteAsync(httpContext, StatusCodes.Status502BadGateway, "The storage service could not deliver the file.").ConfigureAwait(false);
                return false;
        }
    }

    /// <summary>Without a client If-Match, or with one naming the pinned ETag, the pin alone decides.</summary>
    private static bool ClientIfMatchAgrees(IHeaderDictionary clientHeaders, string pinned)
    {
        var clientIfMatch = clientHeaders.IfMatch.ToString();
        return clientIfMatch.Length == 0 || clientIfMatch == "*" || clientIfMatch.Contains(pinned, StringComparison.Ordinal);
    }

    private static void CopyResponseHeaders(HttpResponseMessage source, HttpResponse destination)
    {
        var headers = destination.Headers;
        foreach (var header in source.Headers.NonValidated)
        {
            if (ForwardedResponseHeaders.Contains(header.Key))
            {
                headers[header.Key] = header.Value.ToString();
            }
        }

        foreach (var header in source.Content.Headers.NonValidated)
        {
            if (ForwardedResponseHeaders.Contains(header.Key))
            {
                headers[header.Key] = header.Value.ToString();
            }
        }
    }

    private static void Decorate(HttpResponse response, DownloadFeature download)
    {
        var link = download.Link;
        var headers = response.Headers;
        headers.ContentDisposition = ContentDisposition.For(link);
        if (link.ContentType is { } contentType)
        {
            headers.ContentType = contentType;
        }

        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        if (link.Disposition == ContentDispositionType.Inline && ActiveContent.IsActive(headers.ContentType))
        {
            // Shown inline, HTML or SVG would run script on the gateway's origin: a sandbox gives it an
            // opaque origin with scripts, forms and plugins off.
            headers.ContentSecurityPolicy = "sandbox";
        }

        // Browsers may keep the bytes but must ask again before reusing them, so a revoked link is
        // never served from a cache; shared caches must not keep them at all.
        headers.CacheControl = "private, no-cache";
    }

    private void LogUpstreamError(DownloadFeature download, HttpResponseMessage response)
    {
        Log.UpstreamError(
            logger,
            (int)response.StatusCode,
            download.Bucket.Alias,
            FirstValue(response, "x-oss-ec"),
            FirstValue(response, "x-oss-request-id"));
    }

    private static string? FirstValue(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "OSS answered {Status} for bucket {Bucket} (EC {ErrorCode}, x-oss-request-id {RequestId})")]
        public static partial void UpstreamError(ILogger logger, int status, string bucket, string? errorCode, string? requestId);
    }
}
