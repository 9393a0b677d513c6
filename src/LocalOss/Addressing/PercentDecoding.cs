using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace LocalOss.Addressing;

/// <summary>
/// Strict percent-decoding of path segments and query components into UTF-8 text. Unlike
/// <see cref="Uri.UnescapeDataString(string)"/> it refuses malformed escapes and invalid UTF-8 instead of
/// passing them through, so two different wire forms can never silently name the same object.
/// </summary>
internal static class PercentDecoding
{
    private const int StackLimit = 512;

    /// <param name="plusIsSpace">true for query components (form encoding); in a path '+' is a literal plus.</param>
    public static bool TryDecode(ReadOnlySpan<char> input, bool plusIsSpace, out string value)
    {
        if (!NeedsDecoding(input, plusIsSpace))
        {
            value = input.ToString();
            return true;
        }

        // Each char yields at most 3 UTF-8 bytes (a surrogate pair yields 4 bytes from 2 chars).
        var maxBytes = input.Length * 3;
        byte[]? rented = null;
        var bytes = maxBytes <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        try
        {
            if (!TryUnescape(input, plusIsSpace, bytes, out var length))
            {
                value = "";
                return false;
            }

            return TryGetUtf8String(bytes[..length], out value);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static bool NeedsDecoding(ReadOnlySpan<char> input, bool plusIsSpace)
    {
        foreach (var c in input)
        {
            if (c == '%' || (plusIsSpace && c == '+'))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryUnescape(ReadOnlySpan<char> input, bool plusIsSpace, Span<byte> bytes, out int length)
    {
        length = 0;
        for (var i = 0; i < input.Length; i++)
        {
            var c = input[i];
            if (c == '%')
            {
                if (i + 2 >= input.Length)
                {
                    return false;
                }

                var high = HexValue(input[i + 1]);
                var low = HexValue(input[i + 2]);
                if (high < 0 || low < 0)
                {
                    return false;
                }

                bytes[length++] = (byte)((high << 4) | low);
                i += 2;
            }
            else if (c == '+' && plusIsSpace)
            {
                bytes[length++] = (byte)' ';
            }
            else if (c < 0x80)
            {
                bytes[length++] = (byte)c;
            }
            else
            {
                // Raw non-ASCII text in a target: take it as the characters it already is.
                var run = 1;
                if (char.IsHighSurrogate(c) && i + 1 < input.Length && char.IsLowSurrogate(input[i + 1]))
                {
                    run = 2;
                }

                if (Utf8.FromUtf16(input.Slice(i, run), bytes[length..], out _, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
                {
                    return false;
                }

                length += written;
                i += run - 1;
            }
        }

        return true;
    }

    private static bool TryGetUtf8String(ReadOnlySpan<byte> bytes, out string value)
    {
        if (!Utf8.IsValid(bytes))
        {
            value = "";
            return false;
        }

        value = Encoding.UTF8.GetString(bytes);
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };
}
