using System.Text;
using LocalOss.Errors;

namespace LocalOss.Addressing;

/// <summary>
/// Turns the raw request target into an <see cref="OssRequestTarget"/>. It works on the target exactly as
/// received (<c>IHttpRequestFeature.RawTarget</c>), never on <c>Request.Path</c>: Kestrel removes dot
/// segments from the latter, and in OSS <c>a/../b</c> is a key of its own, not <c>b</c>.
/// </summary>
internal static class RequestTargetParser
{
    /// <summary>OSS object names are 1–1023 bytes of UTF-8.</summary>
    public const int MaxKeyBytes = 1023;

    /// <param name="hostBucket">The bucket taken from the Host header (virtual-hosted), or null for path-style.</param>
    public static bool TryParse(string rawTarget, string? hostBucket, out OssRequestTarget target, out OssError? error)
    {
        target = null!;
        if (!TrySplit(rawTarget, out var path, out var query))
        {
            error = OssError.InvalidArgument("The request target is not an origin-form or absolute-form URI.");
            return false;
        }

        if (!TryParseQuery(query, out var parameters))
        {
            error = OssError.InvalidArgument("The query string holds a malformed percent-encoding or invalid UTF-8.");
            return false;
        }

        // path always starts with '/'.
        var rest = path[1..];
        string bucket;
        ReadOnlySpan<char> rawKey;
        if (hostBucket is not null)
        {
            bucket = hostBucket;
            rawKey = rest;
        }
        else
        {
            var slash = rest.IndexOf('/');
            var rawBucket = slash < 0 ? rest : rest[..slash];
            rawKey = slash < 0 ? [] : rest[(slash + 1)..];
            if (!PercentDecoding.TryDecode(rawBucket, plusIsSpace: false, out bucket))
            {
                error = OssError.InvalidArgument("The bucket segment holds a malformed percent-encoding or invalid UTF-8.");
                return false;
            }

            if (bucket.Length == 0 && rawKey.Length == 0 && slash < 0)
            {
                target = new OssRequestTarget { Bucket = "", Key = "", Query = parameters };
                error = null;
                return true;
            }
        }

        if (!BucketNames.IsValid(bucket))
        {
            error = OssError.InvalidBucketName(bucket);
            return false;
        }

        if (!PercentDecoding.TryDecode(rawKey, plusIsSpace: false, out var key))
        {
            error = OssError.InvalidArgument("The object key holds a malformed percent-encoding or invalid UTF-8.");
            return false;
        }

        if (key.Length > 0 && !IsValidKey(key))
        {
            error = OssError.InvalidObjectName("The object name must be 1 to 1023 bytes of UTF-8 and must not start with '/' or '\\'.");
            return false;
        }

        target = new OssRequestTarget { Bucket = bucket, Key = key, Query = parameters, VirtualHosted = hostBucket is not null };
        error = null;
        return true;
    }

    public static bool IsValidKey(string key) =>
        key.Length > 0
        && key[0] is not ('/' or '\\')
        && key.Length <= MaxKeyBytes
        && Encoding.UTF8.GetByteCount(key) <= MaxKeyBytes;

    private static bool TrySplit(string rawTarget, out ReadOnlySpan<char> path, out ReadOnlySpan<char> query)
    {
        ReadOnlySpan<char> target = rawTarget;
        path = default;
        query = default;

        if (target.Length == 0)
        {
            return false;
        }

        if (target[0] != '/')
        {
            // Absolute form (proxies send it): drop "scheme://authority".
            var scheme = target.IndexOf("://", StringComparison.Ordinal);
            if (scheme <= 0)
            {
                return false;
            }

            var afterAuthority = target[(scheme + 3)..];
            var pathStart = afterAuthority.IndexOfAny('/', '?');
            target = pathStart < 0 ? "/" : afterAuthority[pathStart] == '?' ? "/" + afterAuthority[pathStart..].ToString() : afterAuthority[pathStart..];
        }

        var fragment = target.IndexOf('#');
        if (fragment >= 0)
        {
            target = target[..fragment];
        }

        var questionMark = target.IndexOf('?');
        path = questionMark < 0 ? target : target[..questionMark];
        query = questionMark < 0 ? [] : target[(questionMark + 1)..];
        return true;
    }

    private static bool TryParseQuery(ReadOnlySpan<char> query, out List<KeyValuePair<string, string>> parameters)
    {
        parameters = [];
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            if (pair.Length == 0)
            {
                continue;
            }

            var equals = pair.IndexOf('=');
            var rawName = equals < 0 ? pair : pair[..equals];
            var rawValue = equals < 0 ? [] : pair[(equals + 1)..];
            if (!PercentDecoding.TryDecode(rawName, plusIsSpace: true, out var name)
                || !PercentDecoding.TryDecode(rawValue, plusIsSpace: true, out var value))
            {
                return false;
            }

            parameters.Add(new(name, value));
        }

        return true;
    }
}
