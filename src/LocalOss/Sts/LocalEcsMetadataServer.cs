using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LocalOss.Sts;

/// <summary>
/// A stand-in for the ECS instance metadata service (100.100.100.200) as credentials-go's ECS RAM role provider uses
/// it: <c>PUT /latest/api/token</c> for an IMDSv2 token, then <c>GET /latest/meta-data/ram/security-credentials/</c>
/// for the role name and <c>.../{role}</c> for credentials minted by the <see cref="LocalStsIssuer"/> it was started
/// with. Reads nothing from the host process.
/// </summary>
public sealed class LocalEcsMetadataServer : IAsyncDisposable
{
    private const string TokenPath = "/latest/api/token";
    private const string CredentialsPath = "/latest/meta-data/ram/security-credentials/";
    private const string TokenTtlHeader = "X-aliyun-ecs-metadata-token-ttl-seconds";
    private const string TokenHeader = "X-aliyun-ecs-metadata-token";
    private const int MaxTokenTtlSeconds = 21600;
    private const string RoleAccountId = "1000000000000000";

    private readonly LocalEcsMetadataOptions _options;
    private readonly LocalStsIssuer _issuer;
    private readonly FailureInjection _failures = new();
    private readonly LifetimeOverride _lifetime = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private int _tokenRequests;
    private int _credentialRequests;
    private int _requestsWithoutToken;
    private int _disposed;

    private LocalEcsMetadataServer(LocalEcsMetadataOptions options, LocalStsIssuer issuer)
    {
        _options = options;
        _issuer = issuer;
    }

    /// <summary>The address actually bound, e.g. <c>http://127.0.0.1:40123/</c>, standing for <c>http://100.100.100.200/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>When set, role credentials live this long instead of <see cref="LocalEcsMetadataOptions.CredentialLifetime"/>.</summary>
    public TimeSpan? IssuedLifetimeOverride
    {
        get => _lifetime.Value;
        set => _lifetime.Value = value;
    }

    /// <summary>How many <c>PUT /latest/api/token</c> requests arrived, refused ones included.</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>How many GETs of a role's credentials arrived, refused ones included.</summary>
    public int CredentialRequests => Volatile.Read(ref _credentialRequests);

    /// <summary>How many GETs came without a metadata token (IMDSv1 style), answered or not.</summary>
    public int RequestsWithoutToken => Volatile.Read(ref _requestsWithoutToken);

    /// <summary>Starts serving on <paramref name="url"/>.</summary>
    public static async Task<LocalEcsMetadataServer> StartAsync(LocalEcsMetadataOptions options, LocalStsIssuer issuer, string url = "http://127.0.0.1:0", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(issuer);
        if (options.RoleName is { } role && (role.Length == 0 || role.Contains('/', StringComparison.Ordinal)))
        {
            throw new ArgumentException("RoleName must be a non-empty RAM role name without '/'.", nameof(options));
        }

        if (options.CredentialLifetime < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException("CredentialLifetime must be at least one second.", nameof(options));
        }

        var server = new LocalEcsMetadataServer(options, issuer);
        (server._app, server.BaseAddress) = await StandInHosting.StartAsync(url, server.HandleAsync, cancellationToken);
        return server;
    }

    /// <summary>The next <paramref name="count"/> requests (token and metadata alike) fail with <paramref name="status"/>.</summary>
    public void FailNext(int count, HttpStatusCode status) => _failures.FailNext(count, status);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _app is not null)
        {
            await StandInHosting.StopAsync(_app);
        }
    }

    private Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        if (path == TokenPath && HttpMethods.IsPut(request.Method))
        {
            Interlocked.Increment(ref _tokenRequests);
            return Fail(context) ?? IssueTokenAsync(context);
        }

        if (!HttpMethods.IsGet(request.Method) || !path.StartsWith(CredentialsPath, StringComparison.Ordinal))
        {
            return NotFound(context);
        }

        var role = path[CredentialsPath.Length..];
        if (role.Length > 0)
        {
            Interlocked.Increment(ref _credentialRequests);
        }

        if (Fail(context) is { } failure)
        {
            return failure;
        }

        if (!TokenAccepted(request))
        {
            return StsResponses.WriteTextAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized");
        }

        if (_options.RoleName is null || (role.Length > 0 && role != _options.RoleName))
        {
            return NotFound(context);
        }

        return role.Length == 0
            ? StsResponses.WriteTextAsync(context, StatusCodes.Status200OK, _options.RoleName)
            : CredentialsAsync(context, role);
    }

    private Task IssueTokenAsync(HttpContext context)
    {
        var ttlText = context.Request.Headers[TokenTtlHeader].ToString();
        if (!int.TryParse(ttlText, NumberStyles.None, CultureInfo.InvariantCulture, out var ttl) || ttl is < 1 or > MaxTokenTtlSeconds)
        {
            return StsResponses.WriteTextAsync(context, StatusCodes.Status400BadRequest, $"{TokenTtlHeader} must be 1 to {MaxTokenTtlSeconds}.");
        }

        var now = _issuer.TimeProvider.GetUtcNow();
        foreach (var (old, expiry) in _tokens)
        {
            if (expiry <= now)
            {
                _tokens.TryRemove(old, out _);
            }
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        _tokens[token] = now.AddSeconds(ttl);
        return StsResponses.WriteTextAsync(context, StatusCodes.Status200OK, token);
    }

    /// <summary>
    /// A token, when sent, must be one this server issued and still valid, even where IMDSv1 is allowed: a client
    /// holding an expired token must learn it.
    /// </summary>
    private bool TokenAccepted(HttpRequest request)
    {
        var token = request.Headers[TokenHeader].ToString();
        if (token.Length == 0)
        {
            Interlocked.Increment(ref _requestsWithoutToken);
            return !_options.RequireToken;
        }

        return _tokens.TryGetValue(token, out var expiry) && _issuer.TimeProvider.GetUtcNow() < expiry;
    }

    /// <summary>The document credentials-go's ECS RAM role provider reads; Code "Success" is what it checks.</summary>
    private Task CredentialsAsync(HttpContext context, string role)
    {
        var now = _issuer.TimeProvider.GetUtcNow();
        var roleArn = $"acs:ram::{RoleAccountId}:role/{role}";
        var credentials = _issuer.Issue(roleArn, "ecs-ram-role", _lifetime.Apply(_options.CredentialLifetime));
        return StsResponses.WriteJsonAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteString("AccessKeyId", credentials.AccessKeyId);
            writer.WriteString("AccessKeySecret", credentials.AccessKeySecret);
            writer.WriteString("Expiration", StsResponses.FormatTime(credentials.Expiration));
            writer.WriteString("SecurityToken", credentials.SecurityToken);
            writer.WriteString("LastUpdated", StsResponses.FormatTime(now));
            writer.WriteString("Code", "Success");
        });
    }

    private Task? Fail(HttpContext context) =>
        _failures.TryTake(out var status) ? StsResponses.WriteTextAsync(context, (int)status, "Injected failure") : null;

    private static Task NotFound(HttpContext context) => StsResponses.WriteTextAsync(context, StatusCodes.Status404NotFound, "Not Found");
}
