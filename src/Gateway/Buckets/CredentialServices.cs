using Gateway.Hosting;
using Gateway.Oss;

namespace Gateway.Buckets;

/// <summary>
/// Turns a <see cref="CredentialsPlan"/> into a provider, and owns what the providers share: one HTTP
/// client for STS, the metadata service and credentials URIs (no proxy, no redirects: a redirect could
/// carry a signed STS request elsewhere), and the STS endpoint.
/// </summary>
internal sealed class CredentialServices : IDisposable
{
    private readonly CredentialsServiceOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<string, string?> _environment;
    private HttpClient? _http;

    public CredentialServices(CredentialsServiceOptions options, TimeProvider time, Func<string, string?> environment)
    {
        _options = options;
        _time = time;
        _environment = environment;
    }

    /// <summary>The STS endpoint: configured, else regional from StsRegion / ALIBABA_CLOUD_STS_REGION, else public.</summary>
    public Uri StsEndpoint =>
        _options.StsEndpoint
        ?? StsClient.EndpointFor(
            _options.StsRegion ?? _environment("ALIBABA_CLOUD_STS_REGION"),
            _options.UseVpcEndpoint ?? string.Equals(_environment("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED"), "true", StringComparison.OrdinalIgnoreCase));

    private HttpClient Http => _http ??= new HttpClient(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    public IOssCredentialsProvider CreateProvider(CredentialsPlan plan, ICredentialsRefreshObserver? observer)
    {
        if (plan.Type is CredentialsType.AccessKey or CredentialsType.Sts)
        {
            return new StaticCredentialsProvider(plan.Static!);
        }

        ICredentialsFetcher fetcher = plan.Type switch
        {
            CredentialsType.EcsRamRole => new EcsRamRoleFetcher(Http, _options.EcsMetadataEndpoint, plan.RoleName, plan.AllowImdsV1),
            CredentialsType.OidcRoleArn => new OidcRoleArnFetcher(Sts(), plan.Role!, plan.OidcProviderArn!, plan.OidcTokenFile!),
            CredentialsType.RamRoleArn => new RamRoleArnFetcher(Sts(), new StaticCredentialsProvider(plan.Static!), plan.Role!, plan.ExternalId),
            CredentialsType.CredentialsUri => new CredentialsUriFetcher(Http, plan.Uri!),
            _ => throw new ArgumentOutOfRangeException(nameof(plan), plan.Type, "Unknown credential type."),
        };
        return new RefreshingCredentialsProvider(fetcher, _time, observer);
    }

    public void Dispose() => _http?.Dispose();

    private StsClient Sts() => new(Http, StsEndpoint, _time);
}
