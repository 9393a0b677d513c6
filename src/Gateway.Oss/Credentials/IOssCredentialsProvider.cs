namespace Gateway.Oss;

/// <summary>Supplies the credentials for the next request.</summary>
/// <remarks>Synchronous on purpose: it runs on the hot path for every signed request, so an implementation
/// that refreshes STS tokens must do so in the background and return the current value here.</remarks>
public interface IOssCredentialsProvider
{
    /// <summary>The credentials to sign with now.</summary>
    /// <exception cref="OssCredentialsUnavailableException">There are none that still work (not fetched yet, or expired while refreshing failed).</exception>
    OssCredentials GetCredentials();

    /// <summary>
    /// OSS refused <paramref name="rejected"/> (InvalidAccessKeyId, SecurityTokenExpired, InvalidSecurityToken):
    /// fetch new credentials now, at most once however many requests report the same rejection. True when
    /// the credentials changed since, so one retry is worth it; false for credentials that cannot change.
    /// </summary>
    ValueTask<bool> RenewAfterRejectionAsync(OssCredentials rejected, CancellationToken cancellationToken) => ValueTask.FromResult(false);
}
