using System.Buffers;
using Gateway.Links;
using Microsoft.Net.Http.Headers;

namespace Gateway.Downloads;

internal static class ContentDisposition
{
    /// <summary>
    /// Characters that need neither quoting in <c>filename</c> nor percent-encoding in <c>filename*</c>,
    /// so a name made only of them reads the same in both parameters.
    /// </summary>
    private static readonly SearchValues<char> PlainNameChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._");

    /// <summary>
    /// <c>attachment; filename="ascii fallback"; filename*=UTF-8''…</c> (RFC 6266 / 5987), so
    /// non-ASCII names arrive intact in every current browser and degrade safely elsewhere.
    /// </summary>
    public static string For(Link link)
    {
        var type = link.Disposition == ContentDispositionType.Inline ? "inline" : "attachment";
        var name = link.Filename is { } filename ? filename.AsSpan() : DefaultFilename(link.Key);
        if (!name.IsEmpty && !name.ContainsAnyExcept(PlainNameChars))
        {
            // The common case (report.pdf, IMG_0042.jpg) written directly: the header value class
            // below costs five allocations and a StringBuilder for the same text.
            return $"{type}; filename={name}; filename*=UTF-8''{name}";
        }

        var header = new ContentDispositionHeaderValue(type);
        header.SetHttpFileName(name.IsEmpty ? "download" : name.ToString());
        return header.ToString();
    }

    private static ReadOnlySpan<char> DefaultFilename(string key)
    {
        var trimmed = key.AsSpan().TrimEnd('/');
        var lastSlash = trimmed.LastIndexOf('/');
        return lastSlash >= 0 ? trimmed[(lastSlash + 1)..] : trimmed;
    }
}
