using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Gateway.Oss.Signing;

namespace Gateway.Oss.Verification;

/// <summary>V1 verification, header and query form (SIGNING.md §10).</summary>
internal sealed class V1Verification(Func<string, OssCredentials?> findCredentials, TimeProvider timeProvider)
{
    public OssVerificationResult VerifyHeader(OssIncomingRequest request, string authorization)
    {
        const OssAuthScheme Scheme = OssAuthScheme.V1Header;
        var value = authorization.AsSpan(4).Trim();
        var colon = value.IndexOf(':');
        if (colon <= 0 || colon == value.Length - 1)
        {
            return VerificationFailures.InvalidArgument(Scheme, "Invalid Authorization header: it must be 'OSS AccessKeyId:Signature'.");
        }

        var accessKeyId = value[..colon].ToString();
        var signature = value[(colon + 1)..].ToString();
        var credentials = findCredentials(accessKeyId);
        if (credentials is null)
        {
            return VerificationFailures.UnknownAccessKey(Scheme, accessKeyId);
        }

        if (!V4Verification.TokenMatches(credentials.SecurityToken, RequestView.Header(request, OssV1.SecurityTokenHeader)))
        {
            return VerificationFailures.InvalidToken(Scheme, accessKeyId);
        }

        // NODE sends only x-oss-date and signs it on the Date line; GO2 sends Date (SIGNING.md §10).
        var date = RequestView.Header(request, OssV1.DateHeader) ?? RequestView.Header(request, "Date");
        if (date is null)
        {
            return VerificationFailures.AccessDenied(Scheme, "A V1 signature needs a Date or x-oss-date header.", accessKeyId: accessKeyId);
        }

        if (!TryParseHttpDate(date, out var requestTime))
        {
            return VerificationFailures.InvalidArgument(Scheme, "The Date or x-oss-date header is not an RFC 1123 date.", accessKeyId: accessKeyId);
        }

        var now = timeProvider.GetUtcNow();
        if ((now - requestTime).Duration() > OssRequestVerifier.MaxClockSkew)
        {
            return VerificationFailures.Skewed(Scheme, accessKeyId, requestTime, now);
        }

        return Compare(request, Scheme, credentials, accessKeyId, date, signature);
    }

    public OssVerificationResult VerifyQuery(OssIncomingRequest request)
    {
        const OssAuthScheme Scheme = OssAuthScheme.V1Query;
        var accessKeyId = RequestView.Query(request, OssV1.AccessKeyIdParameter, out var accessKeyCount);
        var expires = RequestView.Query(request, OssV1.ExpiresParameter, out var expiresCount);
        var signature = RequestView.Query(request, OssV1.SignatureParameter, out var signatureCount);
        if (string.IsNullOrEmpty(accessKeyId) || string.IsNullOrEmpty(expires) || string.IsNullOrEmpty(signature))
        {
            return VerificationFailures.AccessDenied(Scheme, "A V1 signed URL needs OSSAccessKeyId, Expires and Signature.");
        }

        if (accessKeyCount > 1 || expiresCount > 1 || signatureCount > 1)
        {
            return VerificationFailures.InvalidArgument(Scheme, "OSSAccessKeyId, Expires and Signature may appear only once.");
        }

        var credentials = findCredentials(accessKeyId);
        if (credentials is null)
        {
            return VerificationFailures.UnknownAccessKey(Scheme, accessKeyId);
        }

        if (!long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresUnix) || expiresUnix > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return VerificationFailures.InvalidArgument(Scheme, "Expires must be a Unix time in seconds.", "0002-00000070", accessKeyId);
        }

        var token = RequestView.Query(request, OssV1.SecurityTokenParameter, out var tokenCount);
        if (tokenCount > 1 || !V4Verification.TokenMatches(credentials.SecurityToken, token))
        {
            return VerificationFailures.InvalidToken(Scheme, accessKeyId);
        }

        var now = timeProvider.GetUtcNow();
        var expiration = DateTimeOffset.FromUnixTimeSeconds(expiresUnix);
        if (now > expiration)
        {
            return VerificationFailures.Expired(Scheme, accessKeyId, expiration, now);
        }

        return Compare(request, Scheme, credentials, accessKeyId, expires, signature);
    }

    private static OssVerificationResult Compare(OssIncomingRequest request, OssAuthScheme scheme, OssCredentials credentials, string accessKeyId, string date, string signature)
    {
        var headers = new List<HeaderField>(request.Headers.Count);
        foreach (var (name, value) in request.Headers)
        {
            headers.Add(new HeaderField(name, value));
        }

        var stringToSign = OssV1.BuildStringToSign(request.Method, headers, date, request.Bucket, request.Key, request.Query);
        var computed = OssV1.ComputeSignature(credentials.AccessKeySecret, stringToSign);
        return CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(computed.AsSpan()), MemoryMarshal.AsBytes(signature.AsSpan()))
            ? OssVerificationResult.Success(scheme, accessKeyId)
            : VerificationFailures.V1SignatureMismatch(scheme, accessKeyId, signature, stringToSign);
    }

    private static bool TryParseHttpDate(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time)
        || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
}
