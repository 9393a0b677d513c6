using LocalOss.Addressing;
using LocalOss.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace LocalOss.Objects;

/// <summary>The <c>response-*</c> query parameters of GetObject (oss/SIGNING.md §11.3), which set response headers.</summary>
internal static class ResponseOverrides
{
    private static readonly (string Parameter, string Header)[] Map =
    [
        ("response-content-type", HeaderNames.ContentType),
        ("response-content-language", HeaderNames.ContentLanguage),
        ("response-expires", HeaderNames.Expires),
        ("response-cache-control", HeaderNames.CacheControl),
        ("response-content-disposition", HeaderNames.ContentDisposition),
        ("response-content-encoding", HeaderNames.ContentEncoding),
    ];

    /// <summary>Returns an error when an override could not be a header value (it would otherwise inject headers).</summary>
    public static OssError? Validate(OssRequestTarget target)
    {
        foreach (var (parameter, _) in Map)
        {
            var value = target.GetQueryValue(parameter);
            if (value is not null && ContainsControlCharacter(value))
            {
                return OssError.InvalidArgument($"The value of {parameter} contains control characters.", parameter, value);
            }
        }

        return null;
    }

    public static void Apply(OssRequestTarget target, IHeaderDictionary responseHeaders)
    {
        foreach (var (parameter, header) in Map)
        {
            var value = target.GetQueryValue(parameter);
            if (value is not null)
            {
                responseHeaders[header] = value;
            }
        }
    }

    private static bool ContainsControlCharacter(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }
}
