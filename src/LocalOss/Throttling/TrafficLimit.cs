using System.Globalization;
using LocalOss.Addressing;
using LocalOss.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace LocalOss.Throttling;

/// <summary>
/// <c>x-oss-traffic-limit</c> (oss/SIGNING.md §11.4): a single-connection bandwidth cap in bit/s, sent as a
/// header (signed like any <c>x-oss-*</c> header; the gateway's proxy mode) or as a query parameter of a signed
/// URL (redirect mode). OSS documents 819200–838860800, while the Go SDK documents a lower bound of 245760; the
/// wider range is accepted so a client that relies on either works here.
/// </summary>
internal static class TrafficLimit
{
    public const string Name = "x-oss-traffic-limit";
    public const long MinBitsPerSecond = 245_760;
    public const long MaxBitsPerSecond = 838_860_800;

    /// <summary>
    /// Reads the cap from the header and the query. Both are validated when both are present, and the lower one
    /// applies: either alone would have capped the connection, so the client cannot have meant more.
    /// </summary>
    /// <param name="bitsPerSecond">The cap, or null when the request sets none.</param>
    public static OssError? Read(IHeaderDictionary headers, OssRequestTarget target, out long? bitsPerSecond)
    {
        bitsPerSecond = null;
        var header = headers[Name];
        if (!StringValues.IsNullOrEmpty(header))
        {
            if (!TryParse(header.ToString(), out var fromHeader))
            {
                return OssError.InvalidTrafficLimit(header.ToString());
            }

            bitsPerSecond = fromHeader;
        }

        if (target.GetQueryValue(Name) is { } parameter)
        {
            if (!TryParse(parameter, out var fromQuery))
            {
                return OssError.InvalidTrafficLimit(parameter);
            }

            bitsPerSecond = bitsPerSecond is { } current ? Math.Min(current, fromQuery) : fromQuery;
        }

        return null;
    }

    // Digits only: no sign, spaces, exponent or fraction, as an integer OSS parameter.
    private static bool TryParse(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value)
        && value is >= MinBitsPerSecond and <= MaxBitsPerSecond;
}
