using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

namespace Gateway.Oss;

/// <summary>
/// The two STS (2015-04-01) actions the gateway's credential types use: AssumeRole, signed with an
/// AccessKey (<see cref="RpcSignature"/>), and AssumeRoleWithOIDC, which the OIDC token itself authorizes.
/// Every parameter goes in the POST body, never in the URL, so no token or signature can end up in an
/// access log or a span's URL.
/// </summary>
public sealed class StsClient
{
    /// <summary>STS's public endpoint; <see cref="EndpointFor"/> picks a regional or VPC one.</summary>
    public static readonly Uri PublicEndpoint = new("https://sts.aliyuncs.com");

    private const string ApiVersion = "2015-04-01";

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly TimeProvider _time;

    public StsClient(HttpClient http, Uri endpoint, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(time);
        _http = http;
        _endpoint = endpoint;
        _time = time;
    }

    public Uri Endpoint => _endpoint;

    /// <summary><c>https://sts.{region}.aliyuncs.com</c>, or <c>sts-vpc.</c> inside a VPC; the public endpoint without a region.</summary>
    public static Uri EndpointFor(string? region, bool vpc) =>
        string.IsNullOrWhiteSpace(region)
            ? PublicEndpoint
            : new Uri($"https://{(vpc ? "sts-vpc" : "sts")}.{region.Trim()}.aliyuncs.com");

    public Task<OssCredentials> AssumeRoleAsync(OssCredentials caller, StsRoleRequest role, string? externalId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(role);
        var parameters = CommonParameters("AssumeRole");
        parameters["SignatureMethod"] = "HMAC-SHA1";
        parameters["SignatureVersion"] = "1.0";
        parameters["SignatureNonce"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        parameters["AccessKeyId"] = caller.AccessKeyId;
        if (caller.SecurityToken is not null)
        {
            parameters["SecurityToken"] = caller.SecurityToken;
        }

        AddRole(parameters, role);
        if (!string.IsNullOrEmpty(externalId))
        {
            parameters["ExternalId"] = externalId;
        }

        parameters["Signature"] = RpcSignature.Compute("POST", parameters, caller.AccessKeySecret);
        return SendAsync("AssumeRole", parameters, cancellationToken);
    }

    public Task<OssCredentials> AssumeRoleWithOidcAsync(StsRoleRequest role, string oidcProviderArn, string oidcToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentException.ThrowIfNullOrWhiteSpace(oidcProviderArn);
        ArgumentException.ThrowIfNullOrWhiteSpace(oidcToken);
        var parameters = CommonParameters("AssumeRoleWithOIDC");
        parameters["OIDCProviderArn"] = oidcProviderArn;
        parameters["OIDCToken"] = oidcToken;
        AddRole(parameters, role);
        return SendAsync("AssumeRoleWithOIDC", parameters, cancellationToken);
    }

    private Dictionary<string, string> CommonParameters(string action) => new(StringComparer.Ordinal)
    {
        ["Action"] = action,
        ["Version"] = ApiVersion,
        ["Format"] = "JSON",
        ["Timestamp"] = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    };

    private static void AddRole(Dictionary<string, string> parameters, StsRoleRequest role)
    {
        parameters["RoleArn"] = role.RoleArn;
        parameters["RoleSessionName"] = role.RoleSessionName;
        parameters["DurationSeconds"] = ((long)role.Duration.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(role.Policy))
        {
            parameters["Policy"] = role.Policy;
        }
    }

    private async Task<OssCredentials> SendAsync(string action, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var source = $"STS {action}";
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new FormUrlEncodedContent(parameters) };
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        using var document = response.Content.Headers.ContentLength == 0 ? null : TryParse(body);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw StsError(source, response.StatusCode, document);
        }

        if (document is null)
        {
            throw new CredentialsFetchException($"{source} answered 200 with a body that is not JSON ({body.Length} characters).");
        }

        return document.RootElement.TryGetProperty("Credentials", out var credentials)
            ? TemporaryCredentialsJson.Read(credentials, source)
            : throw new CredentialsFetchException($"{source} answered 200 without Credentials (RequestId {TemporaryCredentialsJson.OptionalString(document.RootElement, "RequestId")}).");
    }

    private static JsonDocument? TryParse(string body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static CredentialsFetchException StsError(string source, HttpStatusCode status, JsonDocument? document)
    {
        var root = document?.RootElement;
        var code = root is { } r ? TemporaryCredentialsJson.OptionalString(r, "Code") : null;
        var message = root is { } m ? SafeMessage(TemporaryCredentialsJson.OptionalString(m, "Message")) : null;
        var requestId = root is { } q ? TemporaryCredentialsJson.OptionalString(q, "RequestId") : null;
        return new CredentialsFetchException(
            $"{source} answered {(int)status} {code ?? "(no code)"}: {message ?? "(no message)"} (RequestId {requestId ?? "none"})",
            code);
    }

    /// <summary>
    /// STS explains SignatureDoesNotMatch with its own string to sign, which holds the caller's security
    /// token when it has one: everything from there on is cut, and the rest kept short.
    /// </summary>
    internal static string? SafeMessage(string? message)
    {
        if (message is null)
        {
            return null;
        }

        var cut = message.IndexOf("string to sign", StringComparison.OrdinalIgnoreCase);
        if (cut >= 0)
        {
            message = message[..cut].TrimEnd(' ', ':', ',', '.') + " (string to sign omitted)";
        }

        return message.Length <= 300 ? message : message[..300] + "…";
    }
}

/// <summary>The role to assume and for how long; the policy, when set, narrows what the credentials may do.</summary>
public sealed record StsRoleRequest(string RoleArn, string RoleSessionName, TimeSpan Duration, string? Policy = null)
{
    public const int MinimumDurationSeconds = 900;
    public const int MaximumDurationSeconds = 43200;
}
