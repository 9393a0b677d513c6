using System.Buffers;
using System.Text;

namespace Gateway.Oss.Signing;

/// <summary>RFC 3986 percent-encoding as OSS signs it (SIGNING.md §5): UTF-8 bytes, only A-Z a-z 0-9 - _ . ~
/// (and '/' in paths) stay literal, everything else becomes upper-case %XX.</summary>
internal static class OssPercentEncoding
{
    private static readonly SearchValues<char> Unreserved =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~");

    private static readonly SearchValues<char> UnreservedOrSlash =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~/");

    /// <summary>Encodes an object key or path: '/' stays literal.</summary>
    public static string EncodePath(string text) => Encode(text, keepSlash: true);

    /// <summary>Encodes a query name or value: '/' becomes %2F.</summary>
    public static string EncodeQueryComponent(string text) => Encode(text, keepSlash: false);

    public static bool NeedsEncoding(ReadOnlySpan<char> text, bool keepSlash) =>
        text.IndexOfAnyExcept(keepSlash ? UnreservedOrSlash : Unreserved) >= 0;

    public static string Encode(string text, bool keepSlash)
    {
        if (!NeedsEncoding(text, keepSlash))
        {
            return text;
        }

        var buffer = new CharBuffer(stackalloc char[256]);
        try
        {
            Append(ref buffer, text, keepSlash);
            return buffer.ToString();
        }
        finally
        {
            buffer.Dispose();
        }
    }

    public static void Append(ref CharBuffer buffer, scoped ReadOnlySpan<char> text, bool keepSlash)
    {
        var literal = keepSlash ? UnreservedOrSlash : Unreserved;
        Span<byte> utf8 = stackalloc byte[4];
        while (!text.IsEmpty)
        {
            var run = text.IndexOfAnyExcept(literal);
            if (run < 0)
            {
                buffer.Append(text);
                return;
            }

            buffer.Append(text[..run]);
            text = text[run..];

            // A lone surrogate has no UTF-8 form; encoding it as U+FFFD would address a different object.
            if (Rune.DecodeFromUtf16(text, out var rune, out var consumed) != OperationStatus.Done)
            {
                throw new ArgumentException("The text is not valid UTF-16 (it contains a lone surrogate), so it has no UTF-8 encoding.", nameof(text));
            }

            var byteCount = rune.EncodeToUtf8(utf8);
            var destination = buffer.AppendSpan(byteCount * 3);
            for (var i = 0; i < byteCount; i++)
            {
                destination[i * 3] = '%';
                destination[(i * 3) + 1] = HexUpper(utf8[i] >> 4);
                destination[(i * 3) + 2] = HexUpper(utf8[i] & 0xF);
            }

            text = text[consumed..];
        }
    }

    private static char HexUpper(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);
}
