namespace Gateway.Oss.Verification;

/// <summary>Decodes what arrives on the wire into the values <see cref="OssIncomingRequest"/> expects, as OSS does
/// (SIGNING.md §8 step 2): the key from the path, the query with '+' as a space.</summary>
public static class OssWireFormat
{
    /// <summary>Percent-decodes a raw path segment (UTF-8). '+' in a path is a literal plus, and dot-segments are kept.</summary>
    public static string DecodePath(string rawPath)
    {
        ArgumentNullException.ThrowIfNull(rawPath);
        return Uri.UnescapeDataString(rawPath);
    }

    /// <summary>Parses a raw query (with or without the leading '?') into decoded pairs in wire order; '+' is a space
    /// and a parameter without '=' has the value "".</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseQuery(string? rawQuery)
    {
        if (string.IsNullOrEmpty(rawQuery))
        {
            return [];
        }

        var query = rawQuery.AsSpan();
        if (query[0] == '?')
        {
            query = query[1..];
        }

        var result = new List<KeyValuePair<string, string>>();
        foreach (var range in query.Split('&'))
        {
            var part = query[range];
            if (part.IsEmpty)
            {
                continue;
            }

            var equals = part.IndexOf('=');
            var name = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? [] : part[(equals + 1)..];
            result.Add(new(DecodeQueryComponent(name), DecodeQueryComponent(value)));
        }

        return result;
    }

    private static string DecodeQueryComponent(ReadOnlySpan<char> component) =>
        component.IsEmpty ? string.Empty : Uri.UnescapeDataString(component.ToString().Replace('+', ' '));
}
