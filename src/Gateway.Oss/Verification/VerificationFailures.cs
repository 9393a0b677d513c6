using System.Globalization;

namespace Gateway.Oss.Verification;

/// <summary>The errors OSS returns for authentication failures, with its own codes, messages and EC values (SIGNING.md §9).
/// Where OSS's exact text is undocumented the message is ours and says what is wrong.</summary>
internal static class VerificationFailures
{
    public const string SignatureDoesNotMatchMessage = "The request signature we calculated does not match the signature you provided. Check your key and signing method.";
    public const string ExpiredMessage = "Request has expired.";
    public const string SkewMessage = "The difference between the request time and the current time is too large.";
    public const string UnknownAccessKeyMessage = "The OSS Access Key Id you provided does not exist in our records.";
    public const string InvalidTokenMessage = "The security token you provided is invalid.";
    public const string AnonymousMessage = "You have no right to access this object because of bucket acl.";
    public const long MaxSkewMilliseconds = 900_000;

    public static OssVerificationResult Anonymous() =>
        OssVerificationResult.Failure(OssAuthScheme.Anonymous, null, 403, "AccessDenied", AnonymousMessage, null);

    public static OssVerificationResult InvalidArgument(OssAuthScheme scheme, string message, string? ec = null, string? accessKeyId = null) =>
        OssVerificationResult.Failure(scheme, accessKeyId, 400, "InvalidArgument", message, ec);

    public static OssVerificationResult AccessDenied(OssAuthScheme scheme, string message, string? ec = null, string? accessKeyId = null) =>
        OssVerificationResult.Failure(scheme, accessKeyId, 403, "AccessDenied", message, ec);

    public static OssVerificationResult UnknownAccessKey(OssAuthScheme scheme, string accessKeyId) =>
        OssVerificationResult.Failure(scheme, accessKeyId, 403, "InvalidAccessKeyId", UnknownAccessKeyMessage, null, [new("OSSAccessKeyId", accessKeyId)]);

    public static OssVerificationResult InvalidToken(OssAuthScheme scheme, string accessKeyId) =>
        OssVerificationResult.Failure(scheme, accessKeyId, 403, "InvalidAccessKeyId", InvalidTokenMessage, null, [new("OSSAccessKeyId", accessKeyId)]);

    public static OssVerificationResult Expired(OssAuthScheme scheme, string accessKeyId, DateTimeOffset expires, DateTimeOffset now) =>
        OssVerificationResult.Failure(scheme, accessKeyId, 403, "AccessDenied", ExpiredMessage, "0002-00000069",
            [new("Expires", Iso(expires)), new("ServerTime", Iso(now))]);

    public static OssVerificationResult Skewed(OssAuthScheme scheme, string accessKeyId, DateTimeOffset requestTime, DateTimeOffset now) =>
        OssVerificationResult.Failure(scheme, accessKeyId, 403, "RequestTimeTooSkewed", SkewMessage, "0002-00000504",
            [new("RequestTime", Iso(requestTime)), new("ServerTime", Iso(now)), new("MaxAllowedSkewMilliseconds", MaxSkewMilliseconds.ToString(CultureInfo.InvariantCulture))]);

    public static OssVerificationResult V4SignatureMismatch(OssAuthScheme scheme, string accessKeyId, string stringToSign, string canonicalRequest) =>
        OssVerificationResult.Failure(scheme, accessKeyId, 403, "SignatureDoesNotMatch", SignatureDoesNotMatchMessage, "0002-00000201",
            [new("OSSAccessKeyId", accessKeyId), new("StringToSign", stringToSign), new("CanonicalRequest", canonicalRequest)]);

    public static OssVerificationResult V1SignatureMismatch(OssAuthScheme scheme, string accessKeyId, string signatureProvided, string stringToSign) =>
        OssVerificationResult.Failure(scheme, accessKeyId, 403, "SignatureDoesNotMatch", SignatureDoesNotMatchMessage, "0002-00000040",
            [
                new("OSSAccessKeyId", accessKeyId),
                new("SignatureProvided", signatureProvided),
                new("StringToSign", stringToSign),
                new("StringToSignBytes", SpacedHex(stringToSign)),
            ]);

    /// <summary>The UTF-8 bytes as space-separated lower-case hex, as OSS (and S3) echo them.</summary>
    private static string SpacedHex(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        return bytes.Length == 0
            ? string.Empty
            : string.Create((bytes.Length * 3) - 1, bytes, static (span, source) =>
            {
                for (var i = 0; i < source.Length; i++)
                {
                    source[i].TryFormat(span[(i * 3)..], out _, "x2", CultureInfo.InvariantCulture);
                    if (i < source.Length - 1)
                    {
                        span[(i * 3) + 2] = ' ';
                    }
                }
            });
    }

    /// <summary>ISO 8601 with milliseconds, as OSS writes Expires and ServerTime (e.g. 2025-02-03T02:53:25.000Z).</summary>
    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
