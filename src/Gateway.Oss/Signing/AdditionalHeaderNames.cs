using System.Buffers;

namespace Gateway.Oss.Signing;

/// <summary>The V4 additional-headers list (SIGNING.md §2.3 line 5): lower case, deduplicated, sorted, joined by ';'.</summary>
internal static class AdditionalHeaderNames
{
    // RFC 9110 token characters minus '_', which OSS refuses in this list (DOC 0002-00000078).
    private static readonly SearchValues<char> NameCharacters =
        SearchValues.Create("!#$%&'*+-.^`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <summary>Normalises names a caller asked to sign; names signed anyway (Content-Type, Content-MD5, x-oss-*) are
    /// dropped, as every SDK does.</summary>
    public static string[] NormalizeForSigning(IReadOnlyCollection<string> names, string parameterName)
    {
        if (names.Count == 0)
        {
            return [];
        }

        var result = new List<string>(names.Count);
        foreach (var name in names)
        {
            if (string.IsNullOrEmpty(name) || name.AsSpan().IndexOfAnyExcept(NameCharacters) >= 0)
            {
                throw new ArgumentException($"'{name}' is not a valid additional header name (an HTTP token without '_').", parameterName);
            }

            if (OssV4.IsDefaultSignedHeader(name))
            {
                continue;
            }

            var lower = AsciiText.ToLower(name);
            if (!result.Contains(lower))
            {
                result.Add(lower);
            }
        }

        result.Sort(StringComparer.Ordinal);
        return [.. result];
    }

    /// <summary>Parses a received list. Empty elements are an error (DOC 0002-00000210); the order is not checked,
    /// because PY1 sorts by first character only (SIGNING.md §7, T4).</summary>
    public static bool TryParse(string value, out string[] names)
    {
        names = [];
        if (value.Length == 0)
        {
            return false;
        }

        var parts = value.Split(';');
        var result = new List<string>(parts.Length);
        foreach (var part in parts)
        {
            if (part.Length == 0 || part.AsSpan().IndexOfAnyExcept(NameCharacters) >= 0)
            {
                return false;
            }

            var lower = AsciiText.ToLower(part);
            if (!result.Contains(lower))
            {
                result.Add(lower);
            }
        }

        result.Sort(StringComparer.Ordinal);
        names = [.. result];
        return true;
    }

    public static bool Contains(string[] names, ReadOnlySpan<char> headerName)
    {
        foreach (var name in names)
        {
            if (AsciiText.EqualsLower(headerName, name))
            {
                return true;
            }
        }

        return false;
    }
}
