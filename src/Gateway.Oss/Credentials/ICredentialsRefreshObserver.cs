namespace Gateway.Oss;

/// <summary>Told about each refresh, so the host can log and count them (this library has no logging of its own).</summary>
public interface ICredentialsRefreshObserver
{
    /// <param name="type">The credential type (<see cref="ICredentialsFetcher.Type"/>).</param>
    /// <param name="forced">True when OSS had refused the previous credentials.</param>
    /// <param name="expiration">When the new credentials expire.</param>
    void Refreshed(string type, bool forced, DateTimeOffset? expiration);

    /// <param name="type">The credential type.</param>
    /// <param name="error">Never carries a secret (<see cref="CredentialsFetchException"/>) or comes from the HTTP stack.</param>
    /// <param name="current">When the credentials still in use expire; null when there are none.</param>
    void RefreshFailed(string type, Exception error, DateTimeOffset? current);
}
