using System.Text;
using CsCheck;

namespace Gateway.Tests.Properties;

/// <summary>Generators of text that trips encoders and validators, shared by the property tests.</summary>
internal static class Texts
{
    /// <summary>Reserved and delimiting characters, percent, dot segments, quotes, controls, non-ASCII and astral text.</summary>
    public static readonly string[] Awkward =
    [
        "a", "Z", "9", "/", "//", ".", "..", "./", "../", "%", "%2F", "%20", "%25", "%%", "+", " ", "  ", "~", "-", "_",
        "(", ")", "!", "*", "'", ";", "=", "&", "?", "#", "\"", "\\", "\\\"", ",", ":", "@", "$", "[", "]", "{", "}", "|", "^", "`",
        "ä", "Ü", "ß", "报告", "日本", "😀", "𝄞", "\u00A0", "\u200B", "\u2028", "\uFEFF", "\u0301", "\u0130", "\u0131", "\u212A",
        "\t", "\n", "\r", "\r\n", "\0", "\u001B", "\u007F", "\u0085", "\u009F",
    ];

    /// <summary>One piece: mostly awkward, else any printable ASCII, any BMP character outside the surrogates, or an astral one.</summary>
    public static readonly Gen<string> Piece = Gen.Frequency(
        (6, Gen.OneOf(Awkward)),
        (3, Gen.Char['\u0020', '\u007E'].Select(static c => c.ToString())),
        (1, Gen.Char['\u00A0', '\uD7FF'].Select(static c => c.ToString())),
        (1, Gen.Char['\uE000', '\uFFFF'].Select(static c => c.ToString())),
        (1, Gen.Int[0x10000, 0x10FFFF].Select(static cp => char.ConvertFromUtf32(cp))));

    /// <summary>Well-formed UTF-16 text of 0 to about 60 pieces.</summary>
    public static readonly Gen<string> Short = Piece.Array[0, 60].Select(static pieces => string.Concat(pieces));

    /// <summary>About 10 KB: one piece pattern repeated, so huge names are as awkward as short ones.</summary>
    public static readonly Gen<string> Huge = Piece.Array[1, 8].Select(static pieces =>
    {
        var unit = string.Concat(pieces);
        var builder = new StringBuilder(10_300);
        while (builder.Length < 10_240)
        {
            builder.Append(unit);
        }

        return builder.ToString();
    });

    /// <summary>Text that may also hold lone surrogates: what a buggy client or a raw byte decoder could hand over.</summary>
    public static readonly Gen<string> WithLoneSurrogates = Gen.Select(Short, Gen.OneOf('\uD800', '\uDBFF', '\uDC00', '\uDFFF'), Gen.Int[0, 60])
        .Select(static (text, surrogate, at) => text.Insert(Math.Min(at, text.Length), surrogate.ToString()));

    public static string Escape(string text)
    {
        var builder = new StringBuilder("\"");
        var shown = 0;
        foreach (var c in text)
        {
            if (shown++ == 200)
            {
                builder.Append($"…({text.Length} chars)");
                break;
            }

            builder.Append(c is < ' ' or > '~' ? $"\\u{(int)c:X4}" : c.ToString());
        }

        return builder.Append('"').ToString();
    }
}
