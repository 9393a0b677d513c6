namespace Gateway.Oss;

/// <summary>A credentials source refused or failed a fetch.</summary>
/// <remarks>
/// The message carries what an operator needs (HTTP status, the service's error code and request id) and
/// never a secret, token or signature: it is logged as is.
/// </remarks>
public sealed class CredentialsFetchException : Exception
{
    public CredentialsFetchException(string message, string? errorCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    public CredentialsFetchException()
    {
    }

    public CredentialsFetchException(string message)
        : base(message)
    {
    }

    public CredentialsFetchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The service's own error code (e.g. STS's <c>NoPermission</c>), when it sent one.</summary>
    public string? ErrorCode { get; }
}
