using System.Buffers;
using System.Globalization;
using Gateway.Oss.Signing;

namespace Gateway.Oss;

/// <summary>Signs requests with OSS Signature V4 (OSS4-HMAC-SHA256), in the Authorization header or in the URL.</summary>
public sealed class OssV4Signer
{
    private const string AuthorizationHeader = "Authorization";

    private readonly OssEndpoint _endpoint;
    private readonly IOssCredentialsProvider _credentials;
    private readonly TimeProvider _timeProvider;
    private Timestamp? _timestamp;

    public OssV4Signer(OssEndpoint endpoint, IOssCredentialsProvider credentials, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _endpoint = endpoint;
        _credentials = credentials;
        _timeProvider = timeProvider;
    }

    internal V4SigningKeyCache SigningKeys { get; } = new();

    /// <summary>Signs <paramref name="request"/> in the header form: adds x-oss-date, x-oss-content-sha256: UNSIGNED-PAYLOAD,
    /// x-oss-security-token (STS) and Authorization, replacing earlier values of these headers.</summary>
    /// <param name="request">The request, with its final URI, method and headers. Signed: Content-Type and Content-MD5
    /// (request.Content.Headers included), every x-oss-* header, and the additional headers it carries.</param>
    /// <param name="key">The decoded object key the URI addresses ("" for the bucket).</param>
    /// <param name="query">The decoded query parameters in the URI (built with <see cref="OssEndpoint.BuildObjectUri"/> from the same values).</param>
    /// <param name="additionalHeaders">Further headers to sign when present, e.g. "range" or "host"; names the request does not
    /// carry are left out of the signature (as GO2, PY2 and JAVA do), so a fixed list can serve every request.</param>
    public void SignRequest(HttpRequestMessage request, string key, IReadOnlyList<KeyValuePair<string, string>>? query = null, IReadOnlyCollection<string>? additionalHeaders = null) =>
        SignRequest(request, key, query, additionalHeaders, trace: null);

    /// <summary>Presigns a URL in the query form, as the SDKs' signatureUrlV4 / Presign do.</summary>
    public OssPresignedRequest Presign(OssPresignOptions options) => Presign(options, trace: null);

    internal void SignRequest(HttpRequestMessage request, string key, IReadOnlyList<KeyValuePair<string, string>>? query, IReadOnlyCollection<string>? additionalHeaders, SigningTrace? trace)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(key);
        var credentials = GetCredentials();
        var additional = additionalHeaders is null || additionalHeaders.Count == 0
            ? []
            : AdditionalHeaderNames.NormalizeForSigning(additionalHeaders, nameof(additionalHeaders));

        var timestamp = CurrentTimestamp(_timeProvider.GetUtcNow());
        var signingKey = SigningKeys.Get(credentials, timestamp.AsSpan(0, OssV4.DateLength), _endpoint.Region, _endpoint.Product);

        // Re-signing (a retry) must not sign or send stale values.
        var headers = request.Headers;
        headers.Remove(AuthorizationHeader);
        headers.Remove(OssV4.SecurityTokenHeader);
        headers.Remove(OssV4.DateHeader);
        headers.Remove(OssV4.ContentSha256Header);
        headers.TryAddWithoutValidation(OssV4.DateHeader, timestamp);
        headers.TryAddWithoutValidation(OssV4.ContentSha256Header, OssV4.UnsignedPayload);
        if (credentials.SecurityToken is not null)
        {
            headers.TryAddWithoutValidation(OssV4.SecurityTokenHeader, credentials.SecurityToken);
        }

        var content = request.Content?.Headers;
        var capacity = headers.NonValidated.Count + (content?.NonValidated.Count ?? 0) + 1;
        var headerArray = ArrayPool<HeaderField>.Shared.Rent(capacity);
        var queryArray = query is { Count: > 0 } ? ArrayPool<CanonicalQueryParameter>.Shared.Rent(query.Count) : null;
        var canonical = new CharBuffer(stackalloc char[1024]);
        var authorization = new CharBuffer(stackalloc char[256]);
        try
        {
            var headerCount = V4HeaderSelection.FromRequest(request, additional, headerArray, out var signedAdditional);
            var signedHeaders = headerArray.AsSpan(0, headerCount);
            V4CanonicalRequest.SortHeaders(signedHeaders);
            var queryCount = queryArray is null ? 0 : V4CanonicalRequest.PrepareQuery(query!, excludedName: null, queryArray);

            var additionalLine = signedAdditional.Length == 0 ? string.Empty : string.Join(';', signedAdditional);
            V4CanonicalRequest.Write(ref canonical, request.Method.Method, _endpoint.Bucket, key, queryArray.AsSpan(0, queryCount), signedHeaders, additionalLine, OssV4.UnsignedPayload);

            authorization.Append(OssV4.Algorithm);
            authorization.Append(" Credential=");
            authorization.Append(credentials.AccessKeyId);
            authorization.Append('/');
            authorization.Append(signingKey.Scope);
            if (additionalLine.Length > 0)
            {
                authorization.Append(",AdditionalHeaders=");
                authorization.Append(additionalLine);
            }

            authorization.Append(",Signature=");
            V4Signature.Compute(canonical.Written, timestamp, signingKey.Scope, signingKey.Key, authorization.AppendSpan(OssV4.SignatureLength), trace);
            headers.TryAddWithoutValidation(AuthorizationHeader, authorization.ToString());
        }
        finally
        {
            // The pooled arrays hold header values such as the security token: clear them before they are reused.
            ArrayPool<HeaderField>.Shared.Return(headerArray, clearArray: true);
            if (queryArray is not null)
            {
                ArrayPool<CanonicalQueryParameter>.Shared.Return(queryArray, clearArray: true);
            }

            canonical.Dispose();
            authorization.Dispose();
        }
    }

    internal OssPresignedRequest Presign(OssPresignOptions options, SigningTrace? trace)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Key);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Method);
        var method = options.Method.ToUpperInvariant();
        var credentials = GetCredentials();
        var now = _timeProvider.GetUtcNow();
        var expiresSeconds = PresignLifetime.Cap((long)options.Expires.TotalSeconds, credentials, now);

        var timestamp = CurrentTimestamp(now);
        var signingKey = SigningKeys.Get(credentials, timestamp.AsSpan(0, OssV4.DateLength), _endpoint.Region, _endpoint.Product);

        var additional = AdditionalHeaderNames.NormalizeForSigning(options.AdditionalHeaders, nameof(options.AdditionalHeaders));
        var signedHeaders = V4HeaderSelection.ForPresign(options.Headers, additional, _endpoint.HostHeader);

        var query = new List<KeyValuePair<string, string>>(options.Query.Count + 6);
        foreach (var parameter in options.Query)
        {
            ArgumentException.ThrowIfNullOrEmpty(parameter.Key, nameof(options.Query));
            if (IsReservedQueryName(parameter.Key))
            {
                throw new ArgumentException($"The query parameter '{parameter.Key}' is set by the signer.", nameof(options));
            }

            query.Add(new(parameter.Key, parameter.Value ?? string.Empty));
        }

        var additionalLine = string.Join(';', additional);
        if (additionalLine.Length > 0)
        {
            query.Add(new(OssV4.AdditionalHeadersParameter, additionalLine));
        }

        query.Add(new(OssV4.CredentialParameter, $"{credentials.AccessKeyId}/{signingKey.Scope}"));
        query.Add(new(OssV4.DateParameter, timestamp));
        query.Add(new(OssV4.ExpiresParameter, expiresSeconds.ToString(CultureInfo.InvariantCulture)));
        query.Add(new(OssV4.SignatureVersionParameter, OssV4.Algorithm));
        if (credentials.SecurityToken is not null)
        {
            query.Add(new(OssV4.SecurityTokenParameter, credentials.SecurityToken));
        }

        var sortedQuery = new CanonicalQueryParameter[query.Count];
        V4CanonicalRequest.PrepareQuery(query, excludedName: null, sortedQuery);
        var headerFields = new HeaderField[signedHeaders.Count];
        for (var i = 0; i < headerFields.Length; i++)
        {
            headerFields[i] = new HeaderField(signedHeaders[i].Key, signedHeaders[i].Value);
        }

        V4CanonicalRequest.SortHeaders(headerFields);

        var canonical = new CharBuffer(stackalloc char[1024]);
        var url = new CharBuffer(stackalloc char[1024]);
        try
        {
            V4CanonicalRequest.Write(ref canonical, method, _endpoint.Bucket, options.Key, sortedQuery, headerFields, additionalLine, OssV4.UnsignedPayload);

            // The wire query is the canonical query itself (same encoding, same order) plus the signature, as GO2 sends it.
            _endpoint.AppendObjectUri(ref url, options.Key);
            url.Append('?');
            V4CanonicalRequest.WriteQuery(ref url, sortedQuery);
            url.Append('&');
            url.Append(OssV4.SignatureParameter);
            url.Append('=');
            V4Signature.Compute(canonical.Written, timestamp, signingKey.Scope, signingKey.Key, url.AppendSpan(OssV4.SignatureLength), trace);
            return new OssPresignedRequest(method, OssUris.CreateRaw(url.ToString()), now.AddSeconds(expiresSeconds), signedHeaders);
        }
        finally
        {
            canonical.Dispose();
            url.Dispose();
        }
    }

    private static bool IsReservedQueryName(string name) =>
        name is OssV4.SignatureParameter or OssV4.SignatureVersionParameter or OssV4.CredentialParameter or OssV4.DateParameter
            or OssV4.ExpiresParameter or OssV4.AdditionalHeadersParameter or OssV4.SecurityTokenParameter;

    /// <summary>The x-oss-date text of <paramref name="now"/>, formatted once per second rather than once per signature.</summary>
    private string CurrentTimestamp(DateTimeOffset now)
    {
        var second = now.ToUnixTimeSeconds();
        var last = Volatile.Read(ref _timestamp);
        if (last is null || last.Second != second)
        {
            Span<char> text = stackalloc char[OssV4.TimestampLength];
            OssV4.FormatTimestamp(now, text);
            last = new Timestamp(second, new string(text));

            // Immutable, so threads that race here each publish a correct value and the last one stays.
            Volatile.Write(ref _timestamp, last);
        }

        return last.Text;
    }

    private OssCredentials GetCredentials() =>
        _credentials.GetCredentials() ?? throw new InvalidOperationException("The credentials provider returned no credentials.");

    private sealed record Timestamp(long Second, string Text);
}
