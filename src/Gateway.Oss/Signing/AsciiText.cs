namespace Gateway.Oss.Signing;

/// <summary>Culture-free helpers for header names, which OSS lower-cases and compares byte by byte.</summary>
internal static class AsciiText
{
    public static char ToLower(char c) => c is >= 'A' and <= 'Z' ? (char)(c | 0x20) : c;

    /// <summary>Compares as if both were ASCII-lower-cased, then ordinal. <see cref="StringComparison.OrdinalIgnoreCase"/>
    /// upper-cases instead, which orders '_' differently from the lower-case names OSS sorts.</summary>
    public static int CompareLowerOrdinal(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            var difference = ToLower(a[i]) - ToLower(b[i]);
            if (difference != 0)
            {
                return difference;
            }
        }

        return a.Length - b.Length;
    }

    public static bool EqualsLower(ReadOnlySpan<char> name, ReadOnlySpan<char> lowerCaseName) =>
        name.Equals(lowerCaseName, StringComparison.OrdinalIgnoreCase);

    public static bool StartsWithLower(ReadOnlySpan<char> name, ReadOnlySpan<char> lowerCasePrefix) =>
        name.StartsWith(lowerCasePrefix, StringComparison.OrdinalIgnoreCase);

    public static string ToLower(string text)
    {
        var index = text.AsSpan().IndexOfAnyInRange('A', 'Z');
        return index < 0
            ? text
            : string.Create(text.Length, text, static (span, source) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = ToLower(source[i]);
                }
            });
    }

    /// <summary>Trims the optional whitespace HTTP allows around a field value.</summary>
    /// <remarks>A string literal, not a collection expression: that one reads its data through RuntimeHelpers.CreateSpan,
    /// which allocates on every call when the caller is not optimized (Debug builds, where the allocation test runs).</remarks>
    public static ReadOnlySpan<char> TrimHeaderValue(ReadOnlySpan<char> value) => value.Trim(" \t");
}
