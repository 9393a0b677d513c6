using System.Globalization;
using System.Net;

namespace Gateway.Oss;

/// <summary>
/// <c>EcsRamRole</c>: the STS credentials of the RAM role attached to the ECS instance, read from the
/// instance metadata service in its hardened mode (IMDSv2): a session token from
/// <c>PUT /latest/api/token</c> (<c>X-aliyun-ecs-metadata-token-ttl-seconds</c>), then
/// <c>X-aliyun-ecs-metadata-token</c> on each GET. The role name is optional: without it, the one role
/// listed at <c>/latest/meta-data/ram/security-credentials/</c> is used.
/// </summary>
public sealed class EcsRamRoleFetcher : ICredentialsFetcher
{
    /// <summary>The metadata service's address on every ECS instance.</summary>
    public static readonly Uri DefaultEndpoint = new("http://100.100.100.200");

    public const string TokenTtlHeader = "X-aliyun-ecs-metadata-token-ttl-seconds";
    public const string TokenHeader = "X-aliyun-ecs-metadata-token";

    private const string CredentialsPath = "latest/meta-data/ram/security-credentials/";

    // The SDKs ask for the longest session (6 h); one token is fetched per refresh, so its length hardly matters.
    private const int TokenTtlSeconds = 21600;

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly bool _allowImdsV1;
    private string? _roleName;

    /// <param name="http">The client for metadata requests (no proxy: the service is link-local).</param>
    /// <param name="endpoint">The metadata service, <see cref="DefaultEndpoint"/> on ECS.</param>
    /// <param name="roleName">The RAM role; null to discover it.</param>
    /// <param name="allowImdsV1">When the token cannot be had, go on without one (normal mode) instead of failing.</param>
    public EcsRamRoleFetcher(HttpClient http, Uri endpoint, string? roleName, bool allowImdsV1 = false)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        _http = http;
        _endpoint = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        _roleName = string.IsNullOrWhiteSpace(roleName) ? null : roleName.Trim();
        _allowImdsV1 = allowImdsV1;
    }

    public string Type => "EcsRamRole";

    public async Task<OssCredentials> FetchAsync(CancellationToken cancellationToken)
    {
        var token = await GetTokenAsync(cancellationToken).ConfigureAwait(false);
        var role = _roleName ??= await DiscoverRoleAsync(token, cancellationToken).ConfigureAwait(false);
        var body = await GetAsync(CredentialsPath + Uri.EscapeDataString(role), token, cancellationToken).ConfigureAwait(false);
        using var document = TemporaryCredentialsJson.Parse(body, "The ECS metadata service");
        var code = TemporaryCredentialsJson.OptionalString(document.RootElement, "Code");
        if (code != "Success")
        {
            throw new CredentialsFetchException($"The ECS metadata service answered Code '{code ?? "(none)"}' for role '{role}'.", code);
        }

        return TemporaryCredentialsJson.Read(document.RootElement, "The ECS metadata service");
    }

    private async Task<string?> GetTokenAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(_endpoint, "latest/api/token"));
            request.Headers.TryAddWithoutValidation(TokenTtlHeader, TokenTtlSeconds.ToString(CultureInfo.InvariantCulture));
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return (await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim();
            }

            if (_allowImdsV1)
            {
                return null;
            }

            throw new CredentialsFetchException($"The ECS metadata service answered {(int)response.StatusCode} to the IMDSv2 token request.");
        }
        catch (HttpRequestException) when (_allowImdsV1)
        {
            return null;
        }
    }

    private async Task<string> DiscoverRoleAsync(string? token, CancellationToken cancellationToken)
    {
        var listing = await GetAsync(CredentialsPath, token, cancellationToken).ConfigureAwait(false);
        var roles = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return roles.Length switch
        {
            1 => roles[0],
            0 => throw new CredentialsFetchException("No RAM role is attached to this ECS instance."),
            _ => throw new CredentialsFetchException($"This ECS instance lists {roles.Length} RAM roles; set the role name."),
        };
    }

    private async Task<string> GetAsync(string path, string? token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_endpoint, path));
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation(TokenHeader, token);
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new CredentialsFetchException($"The ECS metadata service answered {(int)response.StatusCode} for /{path}.");
        }

        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }
}
