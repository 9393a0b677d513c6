namespace Gateway.Oss;

/// <summary><c>RamRoleArn</c>: STS AssumeRole, signed with the caller's own AccessKey (or STS credentials).</summary>
public sealed class RamRoleArnFetcher : ICredentialsFetcher
{
    private readonly StsClient _sts;
    private readonly IOssCredentialsProvider _caller;
    private readonly StsRoleRequest _role;
    private readonly string? _externalId;

    public RamRoleArnFetcher(StsClient sts, IOssCredentialsProvider caller, StsRoleRequest role, string? externalId)
    {
        ArgumentNullException.ThrowIfNull(sts);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(role);
        _sts = sts;
        _caller = caller;
        _role = role;
        _externalId = externalId;
    }

    public string Type => "RamRoleArn";

    public Task<OssCredentials> FetchAsync(CancellationToken cancellationToken) =>
        _sts.AssumeRoleAsync(_caller.GetCredentials(), _role, _externalId, cancellationToken);
}
