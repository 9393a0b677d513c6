using System.Collections.Frozen;
using System.Security.Cryptography;

namespace Gateway.Links;

/// <summary>Short-link codes: random ones from a CSPRNG, and the rules for vanity ones.</summary>
internal static class LinkCode
{
    /// <summary>10 base62 characters are about 59.5 bits: unguessable, and short enough to type.</summary>
    public const int RandomLength = 10;

    public const int MinLength = 3;

    public const int MaxLength = 64;

    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>First path segments the gateway itself serves; a vanity code may not shadow them.</summary>
    private static readonly FrozenSet<string> Reserved = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "api", "healthz", "readyz", "metrics", "openapi", "swagger", "favicon.ico", "robots.txt", "static", "admin", "_", "well-known", "console");

    public static string NewRandom() => RandomNumberGenerator.GetString(Base62, RandomLength);

    /// <summary>
    /// True for anything that could be a code (random or vanity). Used on the download path to
    /// answer 404 without touching the store.
    /// </summary>
    public static bool IsWellFormed(ReadOnlySpan<char> code)
    {
        if (code.Length is < MinLength or > MaxLength)
        {
            return false;
        }

        foreach (var c in code)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsReserved(string code) => Reserved.Contains(code);
}
