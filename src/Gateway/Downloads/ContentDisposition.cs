using Gateway.Links;
using Microsoft.Net.Http.Headers;

namespace Gateway.Downloads;

internal static class ContentDisposition
{
    /// <summary>
    /// <c>attachment; filename="ascii fallback"; filename*=UTF-8''…</c> (RFC 6266 / 5987), so
    /// non-ASCII names arrive intact in every current browser and degrade safely elsewhere.
    /// </summary>
    public static string For(Link link)
    {
        var header = new ContentDispositionHeaderValue(link.Disposition == ContentDispositionType.Inline ? "inline" : "attachment");
        header.SetHttpFileName(link.Filename ?? DefaultFilename(link.Key));
        return header.ToString();
    }

    private static string DefaultFilename(string key)
    {
        var trimmed = key.AsSpan().TrimEnd('/');
        var lastSlash = trimmed.LastIndexOf('/');
        var name = lastSlash >= 0 ? trimmed[(lastSlash + 1)..] : trimmed;
        return name.IsEmpty ? "download" : name.ToString();
    }
}
