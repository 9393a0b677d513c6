namespace Gateway.Oss;

/// <summary>Fetches a fresh set of temporary credentials (one STS call, one metadata read, …).</summary>
public interface ICredentialsFetcher
{
    /// <summary>The credential type as configured (<c>EcsRamRole</c>, <c>OidcRoleArn</c>, …), for logs and metrics.</summary>
    string Type { get; }

    /// <exception cref="CredentialsFetchException">The source answered with an error, or with something that is not credentials.</exception>
    Task<OssCredentials> FetchAsync(CancellationToken cancellationToken);
}
