using Gateway.Oss.Verification;
using LocalOss.Addressing;
using LocalOss.Errors;
using LocalOss.Sts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LocalOss.Authentication;

/// <summary>
/// Verifies every request's signature (V4 or V1, header or URL form) with the shared
/// <see cref="OssRequestVerifier"/>, so LocalOss refuses exactly what OSS refuses. There is no public
/// bucket: an anonymous request gets AccessDenied like a private OSS bucket's.
/// </summary>
internal sealed partial class RequestAuthenticator
{
    private readonly OssRequestVerifier _verifier;
    private readonly CredentialStore _credentials;
    private readonly LocalStsIssuer? _stsIssuer;
    private readonly string _region;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<RequestAuthenticator> _logger;

    /// <param name="stsIssuer">When set, STS credentials it issued are accepted (see <see cref="TemporaryCredentialLookup"/>).</param>
    public RequestAuthenticator(CredentialStore credentials, IOptions<LocalOssOptions> options, TimeProvider timeProvider, ILogger<RequestAuthenticator> logger, LocalStsIssuer? stsIssuer = null)
    {
        _credentials = credentials;
        _stsIssuer = stsIssuer;
        _region = options.Value.Region;
        _timeProvider = timeProvider;
        _verifier = new OssRequestVerifier(id => credentials.Find(id)?.Credentials, _region, timeProvider);
        _logger = logger;
    }

    private bool HasTemporaryCredentials => _stsIssuer is not null || _credentials.HasExpiringCredentials;

    /// <summary>
    /// Verifies the request against <paramref name="target"/> and, when that fails, against
    /// <paramref name="alternative"/>. ali-oss pointed at an IP endpoint always sends
    /// <c>Host: bucket.oss-region.aliyuncs.com</c>, with the bucket in the path as well when <c>sldEnable</c> is
    /// set (PITFALLS 25); <c>/bucket/key</c> under that Host is then either key <c>key</c> or key
    /// <c>bucket/key</c>. The signature covers <c>/bucket/key</c>, so it tells which one the client meant.
    /// </summary>
    /// <param name="accepted">The target the signature was made for; on failure, the reading whose error is returned.</param>
    public OssError? Authenticate(HttpContext context, OssRequestTarget target, OssRequestTarget? alternative, out OssRequestTarget accepted)
    {
        var request = context.Request;
        var headers = CollectHeaders(request.Headers);

        // Temporary credentials depend on the request's time and token; the shared verifier (and its signing-key cache)
        // serves every other configuration.
        var lookup = HasTemporaryCredentials
            ? new TemporaryCredentialLookup(_credentials, _stsIssuer, SecurityTokens.Presented(request, target), _timeProvider.GetUtcNow())
            : null;
        var verifier = lookup is null ? _verifier : new OssRequestVerifier(lookup.Find, _region, _timeProvider);
        accepted = target;
        var result = Verify(verifier, request.Method, target, headers);
        if (!result.Succeeded && alternative is not null)
        {
            // When both readings fail, the path-style one is what sldEnable clients mean, so its error explains best.
            result = Verify(verifier, request.Method, alternative, headers);
            accepted = alternative;
        }

        // The verifier reports an unsigned request as a failure and leaves the policy to the server: no bucket here is public.
        if (result.Scheme == OssAuthScheme.Anonymous && (result.Succeeded || result.StatusCode == 403))
        {
            LogAnonymous(_logger, request.Method, accepted.Bucket);
            return OssError.AnonymousAccessDenied();
        }

        if (!result.Succeeded)
        {
            var error = lookup?.Refusal
                ?? new OssError(result.StatusCode, result.ErrorCode ?? "AccessDenied", result.Message ?? "", result.Ec ?? OssError.UnknownEc, SecurityTokens.Withheld(result.Details, request, accepted));
            LogRefused(_logger, request.Method, accepted.Bucket, result.Scheme, error.Code, error.Message);
            return error;
        }

        return null;
    }

    private static OssVerificationResult Verify(OssRequestVerifier verifier, string method, OssRequestTarget target, List<KeyValuePair<string, string>> headers) =>
        verifier.Verify(new OssIncomingRequest
        {
            Method = method,
            Bucket = target.Bucket,
            Key = target.Key,
            Query = target.Query,
            Headers = headers,
        });

    // Every header, one entry per value, as received: the verifier picks the signed ones itself.
    private static List<KeyValuePair<string, string>> CollectHeaders(IHeaderDictionary headers)
    {
        var list = new List<KeyValuePair<string, string>>(headers.Count);
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                if (value is not null)
                {
                    list.Add(new(name, value));
                }
            }
        }

        return list;
    }

    // The key is left out: it can be as sensitive as a file name. Code and message never hold secrets.
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Refused {Method} on bucket '{Bucket}' ({Scheme}): {Code} {ErrorMessage}")]
    private static partial void LogRefused(ILogger logger, string method, string bucket, OssAuthScheme scheme, string code, string errorMessage);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Refused anonymous {Method} on bucket '{Bucket}'")]
    private static partial void LogAnonymous(ILogger logger, string method, string bucket);
}
