using System.Net;
using Gateway.Links;
using Microsoft.Extensions.Primitives;

namespace Gateway.Metering;

/// <summary>How a download ended, as far as the bytes of the object are concerned.</summary>
internal enum DownloadOutcome
{
    /// <summary>The whole body (object or range) reached the client.</summary>
    Completed,

    /// <summary>A body started but did not finish: client gone, upstream failed, or revoked mid-stream.</summary>
    Aborted,

    /// <summary>No object bytes were due: HEAD, 304, or an error answer.</summary>
    NoBody,
}

/// <summary>How a link lookup ended, for the resolve-duration histogram.</summary>
internal enum ResolveOutcome
{
    Found,
    NotFound,
    StoreError,
}

/// <summary>Everything the meter learns about one finished download request.</summary>
/// <param name="Range">
/// The request's Range header as Kestrel holds it: carried as is (no string is made from it) because
/// only a webhook event reads it, and only when an endpoint listens.
/// </param>
/// <param name="Client">The connection's remote address (after trusted proxies), as is; for the webhook event only.</param>
internal readonly record struct DownloadRecord(
    Link Link,
    string Method,
    int StatusCode,
    DownloadOutcome Outcome,
    long BytesSent,
    TimeSpan Duration,
    TimeSpan? TimeToFirstByte,
    StringValues Range = default,
    IPAddress? Client = null);
