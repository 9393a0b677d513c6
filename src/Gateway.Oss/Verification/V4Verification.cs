using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Gateway.Oss.Signing;

namespace Gateway.Oss.Verification;

/// <summary>V4 verification, header and query form (SIGNING.md §8 steps 3-7).</summary>
internal sealed class V4Verification(Func<string, OssCredentials?> findCredentials, string region, TimeProvider timeProvider, V4SigningKeyCache signingKeys)
{
    private const string InvalidCredentialEc = "0002-00000213";

    public OssVerificationResult VerifyHeader(OssIncomingRequest request, string authorization)
    {
        const OssAuthScheme Scheme = OssAuthScheme.V4Header;
        if (!TryParseAuthorization(authorization.AsSpan(OssV4.Algorithm.Length + 1), out var credential, out var signature, out var additionalHeaders))
        {
            return VerificationFailures.InvalidArgument(Scheme, "Invalid Authorization header: it needs Credential=... and Signature=..., optionally AdditionalHeaders=..., each once.", InvalidCredentialEc);
        }

        var timestamp = RequestView.Header(request, OssV4.DateHeader, out var dateCount);
        var token = RequestView.Header(request, OssV4.SecurityTokenHeader, out var tokenCount);
        if (dateCount > 1 || tokenCount > 1)
        {
            return VerificationFailures.InvalidArgument(Scheme, "x-oss-date and x-oss-security-token may appear only once.");
        }

        return Verify(request, Scheme, credential, signature, additionalHeaders, timestamp, expiresText: null, token);
    }

    public OssVerificationResult VerifyQuery(OssIncomingRequest request)
    {
        const OssAuthScheme Scheme = OssAuthScheme.V4Query;
        var version = RequestView.Query(request, OssV4.SignatureVersionParameter, out var versionCount);
        var credential = RequestView.Query(request, OssV4.CredentialParameter, out var credentialCount);
        var timestamp = RequestView.Query(request, OssV4.DateParameter, out var dateCount);
        var expires = RequestView.Query(request, OssV4.ExpiresParameter, out var expiresCount);
        var signature = RequestView.Query(request, OssV4.SignatureParameter, out var signatureCount);
        var additionalHeaders = RequestView.Query(request, OssV4.AdditionalHeadersParameter, out var additionalCount);
        var token = RequestView.Query(request, OssV4.SecurityTokenParameter, out var tokenCount);

        if (version is null || credential is null || timestamp is null || expires is null || signature is null)
        {
            return VerificationFailures.AccessDenied(Scheme, "A V4 signed URL needs x-oss-signature-version, x-oss-credential, x-oss-date, x-oss-expires and x-oss-signature.");
        }

        if (versionCount > 1 || credentialCount > 1 || dateCount > 1 || expiresCount > 1 || signatureCount > 1 || additionalCount > 1 || tokenCount > 1)
        {
            return VerificationFailures.InvalidArgument(Scheme, "Each x-oss-* signature parameter may appear only once.");
        }

        if (version != OssV4.Algorithm)
        {
            return VerificationFailures.InvalidArgument(Scheme, "x-oss-signature-version must be OSS4-HMAC-SHA256.");
        }

        // DOC 0002-00000076: the parameter, when present, must list at least one header.
        if (additionalHeaders is { Length: 0 })
        {
            return VerificationFailures.InvalidArgument(Scheme, "x-oss-additional-headers is empty.", "0002-00000076");
        }

        return Verify(request, Scheme, credential, signature, additionalHeaders, timestamp, expires, token);
    }

    private OssVerificationResult Verify(
        OssIncomingRequest request,
        OssAuthScheme scheme,
        string credentialText,
        string signature,
        string? additionalHeadersText,
        string? timestampText,
        string? expiresText,
        string? token)
    {
        var parts = credentialText.Split('/');
        if (parts.Length != 5 || Array.IndexOf(parts, string.Empty) >= 0 || parts[1].Length != OssV4.DateLength || parts[4] != OssV4.Terminator)
        {
            return VerificationFailures.InvalidArgument(scheme, "Invalid credential: it must be AccessKeyId/yyyyMMdd/region/product/aliyun_v4_request.", InvalidCredentialEc);
        }

        var (accessKeyId, credentialDate, credentialRegion, product) = (parts[0], parts[1], parts[2], parts[3]);
        var credentials = findCredentials(accessKeyId);
        if (credentials is null)
        {
            return VerificationFailures.UnknownAccessKey(scheme, accessKeyId);
        }

        if (product is not ("oss" or "oss-cloudbox"))
        {
            return VerificationFailures.AccessDenied(scheme, "The signing product in credential is invalid.", InvalidCredentialEc, accessKeyId);
        }

        if (!string.Equals(credentialRegion, region, StringComparison.Ordinal))
        {
            return VerificationFailures.AccessDenied(scheme, "The signing region in credential is invalid.", InvalidCredentialEc, accessKeyId);
        }

        if (timestampText is null)
        {
            return VerificationFailures.AccessDenied(scheme, "A V4 signature needs x-oss-date.", accessKeyId: accessKeyId);
        }

        if (!OssV4.TryParseTimestamp(timestampText, out var requestTime))
        {
            return VerificationFailures.InvalidArgument(scheme, "x-oss-date must be yyyyMMdd'T'HHmmss'Z'.", accessKeyId: accessKeyId);
        }

        if (!timestampText.StartsWith(credentialDate, StringComparison.Ordinal))
        {
            return VerificationFailures.AccessDenied(scheme, "The date in the credential does not match x-oss-date.", InvalidCredentialEc, accessKeyId);
        }

        if (!TokenMatches(credentials.SecurityToken, token))
        {
            return VerificationFailures.InvalidToken(scheme, accessKeyId);
        }

        var timeFailure = CheckTime(scheme, accessKeyId, requestTime, expiresText);
        if (timeFailure is not null)
        {
            return timeFailure;
        }

        string[] additional = [];
        if (additionalHeadersText is not null && !AdditionalHeaderNames.TryParse(additionalHeadersText, out additional))
        {
            return VerificationFailures.InvalidArgument(scheme, "The additional headers list has an empty or invalid element.", "0002-00000210", accessKeyId);
        }

        foreach (var name in additional)
        {
            if (!RequestView.HasHeader(request, name))
            {
                return VerificationFailures.AccessDenied(scheme, $"The additional header '{name}' is not in the request.", "0002-00000078", accessKeyId);
            }
        }

        var payloadHash = RequestView.Header(request, OssV4.ContentSha256Header, out var payloadCount);
        if (payloadHash is not null && (payloadCount > 1 || payloadHash != OssV4.UnsignedPayload))
        {
            return VerificationFailures.InvalidArgument(scheme, "x-oss-content-sha256 must be UNSIGNED-PAYLOAD.", "0002-00000214", accessKeyId);
        }

        var trace = new SigningTrace();
        Span<char> computed = stackalloc char[OssV4.SignatureLength];
        ComputeSignature(request, scheme, credentials, credentialDate, product, timestampText, additional, payloadHash ?? OssV4.UnsignedPayload, computed, trace);
        var matches = CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes<char>(computed), MemoryMarshal.AsBytes(signature.AsSpan()));
        return matches
            ? OssVerificationResult.Success(scheme, accessKeyId)
            : VerificationFailures.V4SignatureMismatch(scheme, accessKeyId, trace.StringToSign!, trace.CanonicalRequest!);
    }

    private OssVerificationResult? CheckTime(OssAuthScheme scheme, string accessKeyId, DateTimeOffset requestTime, string? expiresText)
    {
        var now = timeProvider.GetUtcNow();
        if (expiresText is null)
        {
            return (now - requestTime).Duration() > OssRequestVerifier.MaxClockSkew
                ? VerificationFailures.Skewed(scheme, accessKeyId, requestTime, now)
                : null;
        }

        if (!long.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresSeconds))
        {
            return VerificationFailures.InvalidArgument(scheme, "x-oss-expires must be a whole number of seconds.", "0002-00000070", accessKeyId);
        }

        if (expiresSeconds is < 1 or > OssV4.MaxExpiresSeconds)
        {
            return VerificationFailures.InvalidArgument(scheme, "x-oss-expires must be between 1 and 604800 seconds.", "0002-00000232", accessKeyId);
        }

        // A URL is valid from x-oss-date to x-oss-date + x-oss-expires; one dated far ahead is refused like a skewed header.
        if (requestTime - now > OssRequestVerifier.MaxClockSkew)
        {
            return VerificationFailures.Skewed(scheme, accessKeyId, requestTime, now);
        }

        var expiration = requestTime.AddSeconds(expiresSeconds);
        return now > expiration ? VerificationFailures.Expired(scheme, accessKeyId, expiration, now) : null;
    }

    private void ComputeSignature(
        OssIncomingRequest request,
        OssAuthScheme scheme,
        OssCredentials credentials,
        string date,
        string product,
        string timestamp,
        string[] additional,
        string payloadHash,
        Span<char> signature,
        SigningTrace trace)
    {
        var headers = new List<HeaderField>();
        foreach (var (name, value) in request.Headers)
        {
            if (OssV4.IsDefaultSignedHeader(name) || AdditionalHeaderNames.Contains(additional, name))
            {
                headers.Add(new HeaderField(name, value));
            }
        }

        var sortedHeaders = headers.ToArray();
        V4CanonicalRequest.SortHeaders(sortedHeaders);
        var query = new CanonicalQueryParameter[request.Query.Count];
        var queryCount = V4CanonicalRequest.PrepareQuery(request.Query, scheme == OssAuthScheme.V4Query ? OssV4.SignatureParameter : null, query);

        var signingKey = signingKeys.Get(credentials, date, region, product);
        var canonical = new CharBuffer(stackalloc char[1024]);
        try
        {
            V4CanonicalRequest.Write(ref canonical, request.Method, request.Bucket, request.Key, query.AsSpan(0, queryCount), sortedHeaders, string.Join(';', additional), payloadHash);
            V4Signature.Compute(canonical.Written, timestamp, signingKey.Scope, signingKey.Key, signature, trace);
        }
        finally
        {
            canonical.Dispose();
        }
    }

    /// <summary>Parses <c>Credential=..,AdditionalHeaders=..,Signature=..</c> in any order and with any spacing after the
    /// commas, because PY1 writes ", " and puts AdditionalHeaders last (SIGNING.md §7, T3).</summary>
    private static bool TryParseAuthorization(ReadOnlySpan<char> text, out string credential, out string signature, out string? additionalHeaders)
    {
        string? credentialValue = null;
        string? signatureValue = null;
        additionalHeaders = null;
        var additionalSeen = false;
        credential = signature = string.Empty;
        foreach (var range in text.Split(','))
        {
            var item = text[range].Trim();
            var equals = item.IndexOf('=');
            if (equals <= 0)
            {
                return false;
            }

            var name = item[..equals].Trim();
            var value = item[(equals + 1)..].Trim().ToString();
            if (name.SequenceEqual("Credential") && credentialValue is null)
            {
                credentialValue = value;
            }
            else if (name.SequenceEqual("Signature") && signatureValue is null)
            {
                signatureValue = value;
            }
            else if (name.SequenceEqual("AdditionalHeaders") && !additionalSeen)
            {
                additionalSeen = true;
                additionalHeaders = value;
            }
            else
            {
                return false;
            }
        }

        if (string.IsNullOrEmpty(credentialValue) || string.IsNullOrEmpty(signatureValue))
        {
            return false;
        }

        credential = credentialValue;
        signature = signatureValue;
        return true;
    }

    internal static bool TokenMatches(string? expected, string? provided) =>
        expected is null
            ? provided is null
            : provided is not null && CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(expected.AsSpan()), MemoryMarshal.AsBytes(provided.AsSpan()));
}
