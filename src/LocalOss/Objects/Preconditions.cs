using LocalOss.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace LocalOss.Objects;

internal enum PreconditionOutcome
{
    Proceed,
    NotModified,
    Failed,
}

/// <summary>
/// If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since for GetObject and HeadObject. OSS does
/// not document their precedence, so it follows RFC 9110 §13.2.2 (and S3): If-Match, else If-Unmodified-Since;
/// then If-None-Match, else If-Modified-Since. ETags compare without quotes; a date that does not parse is ignored.
/// </summary>
internal static class Preconditions
{
    public static PreconditionOutcome Evaluate(IHeaderDictionary headers, ObjectMetadata metadata, out string? failedCondition)
    {
        failedCondition = null;

        var ifMatch = headers.IfMatch;
        if (!StringValues.IsNullOrEmpty(ifMatch))
        {
            if (!AnyETagMatches(ifMatch, metadata.ETag))
            {
                failedCondition = HeaderNames.IfMatch;
                return PreconditionOutcome.Failed;
            }
        }
        else if (TryGetDate(headers.IfUnmodifiedSince, out var unmodifiedSince) && metadata.LastModified > unmodifiedSince)
        {
            failedCondition = HeaderNames.IfUnmodifiedSince;
            return PreconditionOutcome.Failed;
        }

        var ifNoneMatch = headers.IfNoneMatch;
        if (!StringValues.IsNullOrEmpty(ifNoneMatch))
        {
            return AnyETagMatches(ifNoneMatch, metadata.ETag) ? PreconditionOutcome.NotModified : PreconditionOutcome.Proceed;
        }

        return TryGetDate(headers.IfModifiedSince, out var modifiedSince) && metadata.LastModified <= modifiedSince
            ? PreconditionOutcome.NotModified
            : PreconditionOutcome.Proceed;
    }

    /// <summary>
    /// If-Range (RFC 9110 §13.1.5): the Range applies only while the object is still the one the client has.
    /// A weak or unparsable validator never matches, so the client gets the whole, current object.
    /// </summary>
    public static bool IfRangeAllowsRange(StringValues ifRange, ObjectMetadata metadata)
    {
        if (StringValues.IsNullOrEmpty(ifRange))
        {
            return true;
        }

        var value = ifRange.ToString().Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            return false;
        }

        if (value.StartsWith('"'))
        {
            return Unquote(value).Equals(metadata.ETag, StringComparison.OrdinalIgnoreCase);
        }

        return HeaderUtilities.TryParseDate(value, out var date) && date == metadata.LastModified;
    }

    private static bool AnyETagMatches(StringValues values, string etag)
    {
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var range in value.AsSpan().Split(','))
            {
                var candidate = value.AsSpan()[range].Trim();
                if (candidate is "*")
                {
                    return true;
                }

                if (candidate.StartsWith("W/", StringComparison.Ordinal))
                {
                    candidate = candidate[2..];
                }

                if (Unquote(candidate).Equals(etag, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;

    private static bool TryGetDate(StringValues header, out DateTimeOffset date)
    {
        date = default;
        return !StringValues.IsNullOrEmpty(header) && HeaderUtilities.TryParseDate(header.ToString(), out date);
    }
}
