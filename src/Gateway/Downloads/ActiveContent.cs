using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gateway.Downloads;

/// <summary>Media types a browser would execute (script, markup) rather than just display.</summary>
internal static class ActiveContent
{
    public static bool IsActive(StringValues contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType.ToString(), out var parsed))
        {
            // Unknown or malformed: nosniff keeps the browser from guessing, but treat it as active to be safe.
            return true;
        }

        var type = parsed.MediaType;
        return type.Equals("text/html", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase)
            || type.Equals("image/svg+xml", StringComparison.OrdinalIgnoreCase)
            || type.Equals("text/xml", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/xml", StringComparison.OrdinalIgnoreCase)
            || type.Equals("text/xsl", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+xml", StringComparison.OrdinalIgnoreCase)
            || type.Equals("text/javascript", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/javascript", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/x-javascript", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/ecmascript", StringComparison.OrdinalIgnoreCase)
            || type.Equals("text/ecmascript", StringComparison.OrdinalIgnoreCase);
    }
}
