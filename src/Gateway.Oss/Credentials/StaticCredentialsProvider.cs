namespace Gateway.Oss;

/// <summary>Always returns the same credentials.</summary>
public sealed class StaticCredentialsProvider : IOssCredentialsProvider
{
    private readonly OssCredentials _credentials;

    public StaticCredentialsProvider(OssCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _credentials = credentials;
    }

    public OssCredentials GetCredentials() => _credentials;
}
