using Gateway.Oss.Signing;

namespace Gateway.Oss.Verification;

/// <summary>Verifies V4 and V1 signatures, in the Authorization header or in the URL, the way OSS does (SIGNING.md §8),
/// so that it accepts what every official SDK sends and refuses what OSS refuses, with OSS's error codes.</summary>
public sealed class OssRequestVerifier
{
    private readonly V4Verification _v4;
    private readonly V1Verification _v1;

    /// <param name="findCredentials">Access key id to credentials (the secret and, for STS, the token the request must carry),
    /// or null when the key is unknown.</param>
    /// <param name="region">The server's region (for CloudBox, its CloudBox id): V4 credentials must be scoped to it.</param>
    /// <param name="timeProvider">The server clock, for expiry and skew checks.</param>
    public OssRequestVerifier(Func<string, OssCredentials?> findCredentials, string region, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(findCredentials);
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _v4 = new V4Verification(findCredentials, region, timeProvider, SigningKeys);
        _v1 = new V1Verification(findCredentials, timeProvider);
    }

    /// <summary>How far a header-signed request's time may be from the server's (and a URL's start may lie ahead).</summary>
    public static TimeSpan MaxClockSkew { get; } = TimeSpan.FromMinutes(15);

    internal V4SigningKeyCache SigningKeys { get; } = new();

    /// <summary>Verifies the request. An unsigned request fails with Scheme = Anonymous and 403 AccessDenied; the caller
    /// decides whether its bucket allows anonymous access.</summary>
    public OssVerificationResult Verify(OssIncomingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Method);
        ArgumentNullException.ThrowIfNull(request.Bucket);
        ArgumentNullException.ThrowIfNull(request.Key);
        ArgumentNullException.ThrowIfNull(request.Query);
        ArgumentNullException.ThrowIfNull(request.Headers);

        var authorization = RequestView.Header(request, "Authorization", out var authorizationCount);
        var v4Query = RequestView.Query(request, OssV4.SignatureVersionParameter, out _) is not null
            || RequestView.Query(request, OssV4.SignatureParameter, out _) is not null
            || RequestView.Query(request, OssV4.CredentialParameter, out _) is not null;
        var v1Query = RequestView.Query(request, OssV1.AccessKeyIdParameter, out _) is not null
            || RequestView.Query(request, OssV1.SignatureParameter, out _) is not null;

        if (authorizationCount > 1)
        {
            return VerificationFailures.InvalidArgument(OssAuthScheme.Anonymous, "The request carries more than one Authorization header.");
        }

        // DOC: "OSS does not allow you to contain a signature in the URL ... and in the Authorization header ... at the same time."
        if ((authorization is not null && (v4Query || v1Query)) || (v4Query && v1Query))
        {
            return VerificationFailures.InvalidArgument(OssAuthScheme.Anonymous, "Only one authentication mechanism is allowed: sign in the Authorization header or in the URL, not both.");
        }

        if (authorization is not null)
        {
            if (authorization.StartsWith(OssV4.Algorithm + " ", StringComparison.Ordinal))
            {
                return _v4.VerifyHeader(request, authorization);
            }

            if (authorization.StartsWith("OSS ", StringComparison.Ordinal))
            {
                return _v1.VerifyHeader(request, authorization);
            }

            return VerificationFailures.InvalidArgument(OssAuthScheme.Anonymous, "The Authorization header is neither 'OSS4-HMAC-SHA256 ...' nor 'OSS ak:signature'.");
        }

        if (v4Query)
        {
            return _v4.VerifyQuery(request);
        }

        return v1Query ? _v1.VerifyQuery(request) : VerificationFailures.Anonymous();
    }
}
