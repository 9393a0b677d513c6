using System.Globalization;

namespace Gateway.Oss.Signing;

/// <summary>The fixed strings of OSS Signature V4 (SIGNING.md §1-4).</summary>
internal static class OssV4
{
    public const string Algorithm = "OSS4-HMAC-SHA256";
    public const string Terminator = "aliyun_v4_request";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    public const string TimestampFormat = "yyyyMMdd'T'HHmmss'Z'";
    public const int TimestampLength = 16;
    public const int DateLength = 8;
    public const int SignatureLength = 64;

    public const string DateHeader = "x-oss-date";
    public const string ContentSha256Header = "x-oss-content-sha256";
    public const string SecurityTokenHeader = "x-oss-security-token";

    public const string SignatureVersionParameter = "x-oss-signature-version";
    public const string CredentialParameter = "x-oss-credential";
    public const string DateParameter = "x-oss-date";
    public const string ExpiresParameter = "x-oss-expires";
    public const string AdditionalHeadersParameter = "x-oss-additional-headers";
    public const string SecurityTokenParameter = "x-oss-security-token";
    public const string SignatureParameter = "x-oss-signature";

    /// <summary>The query form allows at most 7 days (DOC 0002-00000232).</summary>
    public const long MaxExpiresSeconds = 604800;

    public static void FormatTimestamp(DateTimeOffset time, Span<char> destination) =>
        time.UtcDateTime.TryFormat(destination, out _, TimestampFormat, CultureInfo.InvariantCulture);

    public static bool TryParseTimestamp(ReadOnlySpan<char> text, out DateTimeOffset time)
    {
        if (text.Length == TimestampLength
            && DateTime.TryParseExact(text, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            time = new DateTimeOffset(parsed, TimeSpan.Zero);
            return true;
        }

        time = default;
        return false;
    }

    /// <summary>Content-Type, Content-MD5 and every x-oss-* header are signed without being listed (SIGNING.md §2.3 line 4).</summary>
    public static bool IsDefaultSignedHeader(ReadOnlySpan<char> name) =>
        AsciiText.StartsWithLower(name, "x-oss-")
        || AsciiText.EqualsLower(name, "content-type")
        || AsciiText.EqualsLower(name, "content-md5");
}
