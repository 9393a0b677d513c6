using System.Buffers;
using System.Text;
using Gateway.Links;

namespace Gateway.Downloads;

internal static class ContentDisposition
{
    private const string HexDigits = "0123456789ABCDEF";

    /// <summary>
    /// Characters that need neither quoting in <c>filename</c> nor percent-encoding in <c>filename*</c>,
    /// so a name made only of them reads the same in both parameters.
    /// </summary>
    private static readonly SearchValues<char> PlainNameChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._");

    /// <summary>tchar (RFC 9110 §5.6.2): a fallback made only of these needs no quotes.</summary>
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

    /// <summary>attr-char (RFC 8187 §3.2.1): the bytes <c>filename*</c> carries without percent-encoding.</summary>
    private static readonly SearchValues<byte> AttrChars =
        SearchValues.Create("!#$&+-.^_`|~ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"u8);

    /// <summary>
    /// <c>attachment; filename="ascii fallback"; filename*=UTF-8''…</c> (RFC 6266 / 8187), so
    /// non-ASCII names arrive intact in every current browser and degrade safely elsewhere. Whatever
    /// the name holds (CR/LF, quotes, controls, any Unicode), the value is one line of visible ASCII.
    /// </summary>
    public static string For(Link link)
    {
        var type = link.Disposition == ContentDispositionType.Inline ? "inline" : "attachment";
        var name = NameOf(link);

        if (!name.ContainsAnyExcept(PlainNameChars))
        {
            // The common case (report.pdf, IMG_0042.jpg) written directly.
            return $"{type}; filename={name}; filename*=UTF-8''{name}";
        }

        // Written here rather than by Microsoft.Net.Http.Headers.ContentDispositionHeaderValue, which takes a name
        // that starts and ends with '"' for a quoted string and drops those quotes from the fallback (found by
        // ContentDispositionProperties).
        var header = new StringBuilder(type.Length + 32 + (name.Length * 4));
        header.Append(type).Append("; filename=");
        AppendFallback(header, name);
        header.Append("; filename*=UTF-8''");
        AppendExtValue(header, name);
        return header.ToString();
    }

    /// <summary>
    /// Printable ASCII as it is and every other UTF-16 unit as '_' (as ASP.NET's SetHttpFileName does): a client
    /// without RFC 8187 gets a safe name, and no control character (CR/LF above all) reaches the header. A token
    /// stays bare; anything else becomes a quoted-string with '"' and '\' escaped.
    /// </summary>
    private static void AppendFallback(StringBuilder header, ReadOnlySpan<char> name)
    {
        var quoted = false;
        foreach (var c in name)
        {
            quoted |= c is >= ' ' and <= '~' && !TokenChars.Contains(c);
        }

        if (quoted)
        {
            header.Append('"');
        }

        foreach (var c in name)
        {
            if (c is < ' ' or > '~')
            {
                header.Append('_');
                continue;
            }

            if (c is '"' or '\\')
            {
                header.Append('\\');
            }

            header.Append(c);
        }

        if (quoted)
        {
            header.Append('"');
        }
    }

    /// <summary>The name's UTF-8 bytes, attr-chars as they are and the rest as %XX; a lone surrogate becomes U+FFFD.</summary>
    private static void AppendExtValue(StringBuilder header, ReadOnlySpan<char> name)
    {
        var length = Encoding.UTF8.GetMaxByteCount(name.Length);
        byte[]? rented = null;
        var bytes = length <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(name, bytes);
            foreach (var b in bytes[..written])
            {
                if (AttrChars.Contains(b))
                {
                    header.Append((char)b);
                }
                else
                {
                    header.Append('%').Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xF]);
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The name a download is saved under: the link's file name, else the key's last named segment, else "download".</summary>
    public static ReadOnlySpan<char> NameOf(Link link)
    {
        var name = link.Filename is { } filename ? filename.AsSpan() : DefaultFilename(link.Key);
        return name.IsEmpty ? "download" : name;
    }

    private static ReadOnlySpan<char> DefaultFilename(string key)
    {
        var trimmed = key.AsSpan().TrimEnd('/');
        var lastSlash = trimmed.LastIndexOf('/');
        return lastSlash >= 0 ? trimmed[(lastSlash + 1)..] : trimmed;
    }
}
