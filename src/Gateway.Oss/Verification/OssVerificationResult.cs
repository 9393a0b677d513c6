namespace Gateway.Oss.Verification;

/// <summary>The outcome of verifying a request, with the error OSS would return when it fails.</summary>
public sealed class OssVerificationResult
{
    private OssVerificationResult(bool succeeded, OssAuthScheme scheme, string? accessKeyId, int statusCode, string? errorCode, string? message, string? ec, IReadOnlyList<KeyValuePair<string, string>> details)
    {
        Succeeded = succeeded;
        Scheme = scheme;
        AccessKeyId = accessKeyId;
        StatusCode = statusCode;
        ErrorCode = errorCode;
        Message = message;
        Ec = ec;
        Details = details;
    }

    public bool Succeeded { get; }

    public OssAuthScheme Scheme { get; }

    public string? AccessKeyId { get; }

    /// <summary>200 on success; on failure 403 (or 400 for malformed values).</summary>
    public int StatusCode { get; }

    /// <summary>SignatureDoesNotMatch, AccessDenied, InvalidAccessKeyId, RequestTimeTooSkewed, InvalidArgument, ...</summary>
    public string? ErrorCode { get; }

    /// <summary>OSS's own message text.</summary>
    public string? Message { get; }

    /// <summary>The OSS error code detail (EC), e.g. 0002-00000201.</summary>
    public string? Ec { get; }

    /// <summary>Extra XML elements OSS adds to the error body, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Details { get; }

    internal static OssVerificationResult Success(OssAuthScheme scheme, string accessKeyId) =>
        new(true, scheme, accessKeyId, 200, null, null, null, []);

    internal static OssVerificationResult Failure(OssAuthScheme scheme, string? accessKeyId, int statusCode, string errorCode, string message, string? ec, IReadOnlyList<KeyValuePair<string, string>>? details = null) =>
        new(false, scheme, accessKeyId, statusCode, errorCode, message, ec, details ?? []);

    // Details can echo the string to sign and the provided signature: keep them out of logs.
    public override string ToString() =>
        Succeeded
            ? $"OssVerificationResult {{ Succeeded = True, Scheme = {Scheme}, AccessKeyId = {AccessKeyId} }}"
            : $"OssVerificationResult {{ Succeeded = False, Scheme = {Scheme}, StatusCode = {StatusCode}, ErrorCode = {ErrorCode}, Ec = {Ec} }}";
}
