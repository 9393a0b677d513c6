namespace Gateway.Oss;

/// <summary>
/// <c>OidcRoleArn</c>, RRSA on ACK: STS AssumeRoleWithOIDC with the pod's projected service-account token.
/// The token file is read again on every fetch: the kubelet rotates it.
/// </summary>
public sealed class OidcRoleArnFetcher : ICredentialsFetcher
{
    private readonly StsClient _sts;
    private readonly StsRoleRequest _role;
    private readonly string _oidcProviderArn;
    private readonly string _tokenFile;

    public OidcRoleArnFetcher(StsClient sts, StsRoleRequest role, string oidcProviderArn, string tokenFile)
    {
        ArgumentNullException.ThrowIfNull(sts);
        ArgumentNullException.ThrowIfNull(role);
        ArgumentException.ThrowIfNullOrWhiteSpace(oidcProviderArn);
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenFile);
        _sts = sts;
        _role = role;
        _oidcProviderArn = oidcProviderArn;
        _tokenFile = tokenFile;
    }

    public string Type => "OidcRoleArn";

    public async Task<OssCredentials> FetchAsync(CancellationToken cancellationToken)
    {
        string token;
        try
        {
            token = (await File.ReadAllTextAsync(_tokenFile, cancellationToken).ConfigureAwait(false)).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CredentialsFetchException($"The OIDC token file '{_tokenFile}' cannot be read: {ex.Message}");
        }

        if (token.Length == 0)
        {
            throw new CredentialsFetchException($"The OIDC token file '{_tokenFile}' is empty.");
        }

        return await _sts.AssumeRoleWithOidcAsync(_role, _oidcProviderArn, token, cancellationToken).ConfigureAwait(false);
    }
}
