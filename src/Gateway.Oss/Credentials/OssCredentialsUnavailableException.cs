namespace Gateway.Oss;

/// <summary>No credentials that still work: the first fetch has not succeeded, or they expired while every refresh failed.</summary>
/// <remarks>The message names the credentials source and never a secret or token; callers answer 503.</remarks>
public sealed class OssCredentialsUnavailableException : InvalidOperationException
{
    public OssCredentialsUnavailableException(string message)
        : base(message)
    {
    }

    public OssCredentialsUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public OssCredentialsUnavailableException()
    {
    }
}
