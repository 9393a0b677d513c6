namespace Gateway.Oss;

/// <summary>Supplies the credentials for the next request.</summary>
/// <remarks>Synchronous on purpose: it runs on the hot path for every signed request, so an implementation
/// that refreshes STS tokens must do so in the background and return the current value here.</remarks>
public interface IOssCredentialsProvider
{
    OssCredentials GetCredentials();
}
