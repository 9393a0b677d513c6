using LocalOss.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace LocalOss.Objects;

/// <summary>The request headers OSS keeps with an object at upload and returns on every read.</summary>
internal static class StoredHeaders
{
    private static readonly string[] Standard =
    [
        HeaderNames.CacheControl,
        HeaderNames.ContentDisposition,
        HeaderNames.ContentEncoding,
        HeaderNames.ContentLanguage,
        HeaderNames.Expires,
    ];

    public static Dictionary<string, string> Capture(IHeaderDictionary headers)
    {
        var stored = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in Standard)
        {
            var value = headers[name];
            if (!string.IsNullOrEmpty(value))
            {
                stored[name] = value.ToString();
            }
        }

        foreach (var (name, value) in headers)
        {
            // OSS lower-cases user metadata names.
            if (name.StartsWith(OssHeaders.UserMetadataPrefix, StringComparison.OrdinalIgnoreCase))
            {
                stored[name.ToLowerInvariant()] = value.ToString();
            }
        }

        return stored;
    }

    public static void Apply(IHeaderDictionary responseHeaders, Dictionary<string, string> stored)
    {
        foreach (var (name, value) in stored)
        {
            responseHeaders[name] = value;
        }
    }
}
