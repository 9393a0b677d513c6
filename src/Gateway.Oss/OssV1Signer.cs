using System.Globalization;
using Gateway.Oss.Signing;

namespace Gateway.Oss;

/// <summary>Signs requests with the legacy OSS V1 scheme (HMAC-SHA1), in the Authorization header or in the URL.
/// Prefer <see cref="OssV4Signer"/>; V1 exists for old deployments and emulators.</summary>
public sealed class OssV1Signer
{
    private const string AuthorizationHeader = "Authorization";

    private readonly OssEndpoint _endpoint;
    private readonly IOssCredentialsProvider _credentials;
    private readonly TimeProvider _timeProvider;

    public OssV1Signer(OssEndpoint endpoint, IOssCredentialsProvider credentials, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _endpoint = endpoint;
        _credentials = credentials;
        _timeProvider = timeProvider;
    }

    /// <summary>Signs <paramref name="request"/> in the header form: adds x-oss-date (RFC 1123, as NODE sends it),
    /// x-oss-security-token (STS) and <c>Authorization: OSS ak:signature</c>.</summary>
    /// <param name="request">The request with its final URI, method and headers.</param>
    /// <param name="key">The decoded object key the URI addresses ("" for the bucket).</param>
    /// <param name="query">The decoded query parameters in the URI; sub-resources among them are signed.</param>
    public void SignRequest(HttpRequestMessage request, string key, IReadOnlyList<KeyValuePair<string, string>>? query = null) =>
        SignRequest(request, key, query, trace: null);

    /// <summary>Presigns a URL (OSSAccessKeyId, Expires, Signature) as the SDKs' signatureUrl does.
    /// V1 has no additional headers; <see cref="OssPresignOptions.AdditionalHeaders"/> must be empty.</summary>
    public OssPresignedRequest Presign(OssPresignOptions options) => Presign(options, trace: null);

    internal void SignRequest(HttpRequestMessage request, string key, IReadOnlyList<KeyValuePair<string, string>>? query, SigningTrace? trace)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(key);
        var credentials = GetCredentials();
        var date = _timeProvider.GetUtcNow().UtcDateTime.ToString("r", CultureInfo.InvariantCulture);

        var headers = request.Headers;
        headers.Remove(AuthorizationHeader);
        headers.Remove(OssV1.DateHeader);
        headers.Remove(OssV1.SecurityTokenHeader);
        headers.TryAddWithoutValidation(OssV1.DateHeader, date);
        if (credentials.SecurityToken is not null)
        {
            headers.TryAddWithoutValidation(OssV1.SecurityTokenHeader, credentials.SecurityToken);
        }

        var fields = new List<HeaderField>();
        foreach (var header in headers.NonValidated)
        {
            fields.Add(new HeaderField(header.Key, header.Value.ToString()));
        }

        if (request.Content is { } content)
        {
            foreach (var header in content.Headers.NonValidated)
            {
                fields.Add(new HeaderField(header.Key, header.Value.ToString()));
            }
        }

        var stringToSign = OssV1.BuildStringToSign(request.Method.Method, fields, date, _endpoint.Bucket, key, query ?? []);
        var signature = OssV1.ComputeSignature(credentials.AccessKeySecret, stringToSign);
        Record(trace, stringToSign, signature);
        headers.TryAddWithoutValidation(AuthorizationHeader, $"OSS {credentials.AccessKeyId}:{signature}");
    }

    internal OssPresignedRequest Presign(OssPresignOptions options, SigningTrace? trace)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Key);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Method);
        if (options.AdditionalHeaders.Count > 0)
        {
            throw new ArgumentException("V1 signatures have no additional headers.", nameof(options));
        }

        var method = options.Method.ToUpperInvariant();
        var credentials = GetCredentials();
        var now = _timeProvider.GetUtcNow();
        var expires = now.ToUnixTimeSeconds() + PresignLifetime.Cap((long)options.Expires.TotalSeconds, credentials, now);
        var expiresText = expires.ToString(CultureInfo.InvariantCulture);

        // V1 signs Content-MD5, Content-Type and x-oss-* headers; the user of the URL must send exactly these.
        var signedHeaders = new List<KeyValuePair<string, string>>();
        var fields = new List<HeaderField>();
        foreach (var header in options.Headers)
        {
            ArgumentException.ThrowIfNullOrEmpty(header.Key, nameof(options.Headers));
            if (OssV4.IsDefaultSignedHeader(header.Key))
            {
                signedHeaders.Add(new(header.Key, header.Value ?? string.Empty));
                fields.Add(new HeaderField(header.Key, header.Value ?? string.Empty));
            }
        }

        var query = new List<KeyValuePair<string, string>>(options.Query.Count + 1);
        foreach (var parameter in options.Query)
        {
            ArgumentException.ThrowIfNullOrEmpty(parameter.Key, nameof(options.Query));
            if (parameter.Key is OssV1.AccessKeyIdParameter or OssV1.ExpiresParameter or OssV1.SignatureParameter or OssV1.SecurityTokenParameter)
            {
                throw new ArgumentException($"The query parameter '{parameter.Key}' is set by the signer.", nameof(options));
            }

            query.Add(new(parameter.Key, parameter.Value ?? string.Empty));
        }

        if (credentials.SecurityToken is not null)
        {
            query.Add(new(OssV1.SecurityTokenParameter, credentials.SecurityToken));
        }

        var stringToSign = OssV1.BuildStringToSign(method, fields, expiresText, _endpoint.Bucket, options.Key, query);
        var signature = OssV1.ComputeSignature(credentials.AccessKeySecret, stringToSign);
        Record(trace, stringToSign, signature);

        // Wire order as ali-oss sends it: the three auth parameters first, then the caller's, then the token.
        query.InsertRange(0,
        [
            new(OssV1.AccessKeyIdParameter, credentials.AccessKeyId),
            new(OssV1.ExpiresParameter, expiresText),
            new(OssV1.SignatureParameter, signature),
        ]);
        var buffer = new CharBuffer(stackalloc char[512]);
        try
        {
            _endpoint.AppendObjectUri(ref buffer, options.Key);
            OssEndpoint.AppendQuery(ref buffer, query);
            return new OssPresignedRequest(method, OssUris.CreateRaw(buffer.ToString()), DateTimeOffset.FromUnixTimeSeconds(expires), signedHeaders);
        }
        finally
        {
            buffer.Dispose();
        }
    }

    private static void Record(SigningTrace? trace, string stringToSign, string signature)
    {
        if (trace is not null)
        {
            trace.StringToSign = stringToSign;
            trace.Signature = signature;
        }
    }

    private OssCredentials GetCredentials() =>
        _credentials.GetCredentials() ?? throw new InvalidOperationException("The credentials provider returned no credentials.");
}
