using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LocalOss.Sts;

/// <summary>
/// A stand-in for Alibaba Cloud STS (API 2015-04-01) on a real socket, answering what credentials-go sends:
/// <c>AssumeRole</c> (RPC-signed) and <c>AssumeRoleWithOIDC</c> (anonymous) at <c>/</c>, by GET or POST, and a
/// credentials URI at <c>GET /credentials</c>. Everything it hands out is minted by the <see cref="LocalStsIssuer"/>
/// it was started with, so a LocalOss started with the same issuer accepts it. Reads nothing from the host process.
/// </summary>
public sealed class LocalStsServer : IAsyncDisposable
{
    private const string CredentialsUriPath = "/credentials";
    private const string CredentialsUriRoleArn = "acs:ram::1000000000000000:role/local-credentials-uri";
    private const string CredentialsUriSessionName = "credentials-uri";

    private readonly LocalStsIssuer _issuer;
    private readonly LocalStsServerOptions _options;
    private readonly StsRpcEndpoint _rpc;
    private readonly FailureInjection _failures = new();
    private readonly LifetimeOverride _lifetime = new();
    private WebApplication? _app;
    private int _credentialsUriRequests;
    private int _disposed;

    private LocalStsServer(LocalStsServerOptions options, LocalStsIssuer issuer)
    {
        _options = options;
        _issuer = issuer;
        _rpc = new StsRpcEndpoint(options, issuer, _failures, _lifetime);
    }

    /// <summary>The address actually bound, e.g. <c>http://127.0.0.1:40123/</c>: the STS endpoint.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The credentials URI (<c>ALIBABA_CLOUD_CREDENTIALS_URI</c>), on this server.</summary>
    public Uri CredentialsUri => new(BaseAddress, CredentialsUriPath.TrimStart('/'));

    /// <summary>
    /// When set, credentials live this long whatever DurationSeconds asked for (still checked to be 900 or more), and
    /// the Expiration in the response is that real one: tests cross an expiry in seconds.
    /// </summary>
    public TimeSpan? IssuedLifetimeOverride
    {
        get => _lifetime.Value;
        set => _lifetime.Value = value;
    }

    /// <summary>Every STS call answered so far, in order, failures included. Thread-safe snapshot.</summary>
    public IReadOnlyList<LocalStsCall> Calls => _rpc.Calls;

    /// <summary>How many requests <c>GET /credentials</c> received, failed ones included.</summary>
    public int CredentialsUriRequests => Volatile.Read(ref _credentialsUriRequests);

    /// <summary>Starts serving on <paramref name="url"/>.</summary>
    public static async Task<LocalStsServer> StartAsync(LocalStsServerOptions options, LocalStsIssuer issuer, string url = "http://127.0.0.1:0", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(issuer);
        Validate(options);
        var server = new LocalStsServer(options, issuer);
        (server._app, server.BaseAddress) = await StandInHosting.StartAsync(url, server.HandleAsync, cancellationToken);
        return server;
    }

    /// <summary>The next <paramref name="count"/> requests (STS actions and the credentials URI) fail with <paramref name="status"/>.</summary>
    public void FailNext(int count, HttpStatusCode status) => _failures.FailNext(count, status);

    /// <summary>Replaces the OIDC tokens AssumeRoleWithOIDC accepts, e.g. together with rewriting the token file.</summary>
    public void SetAcceptedOidcTokens(params IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        _rpc.SetAcceptedOidcTokens(tokens);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _app is not null)
        {
            await StandInHosting.StopAsync(_app);
        }
    }

    private Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (path == "/")
        {
            return _rpc.HandleAsync(context);
        }

        return path == CredentialsUriPath && HttpMethods.IsGet(context.Request.Method)
            ? CredentialsUriAsync(context)
            : StsResponses.WriteErrorAsync(context, StsError.ApiNotFound(), StsResponses.NewRequestId());
    }

    /// <summary>The shape credentials-go's URI provider reads: Code, AccessKeyId, AccessKeySecret, SecurityToken, Expiration.</summary>
    private Task CredentialsUriAsync(HttpContext context)
    {
        Interlocked.Increment(ref _credentialsUriRequests);
        if (_failures.TryTake(out var status))
        {
            return StsResponses.WriteErrorAsync(context, StsError.Injected(status), StsResponses.NewRequestId());
        }

        var credentials = _issuer.Issue(CredentialsUriRoleArn, CredentialsUriSessionName, _lifetime.Apply(_options.CredentialsUriLifetime));
        return StsResponses.WriteJsonAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteString("Code", "Success");
            writer.WriteString("AccessKeyId", credentials.AccessKeyId);
            writer.WriteString("AccessKeySecret", credentials.AccessKeySecret);
            writer.WriteString("SecurityToken", credentials.SecurityToken);
            writer.WriteString("Expiration", StsResponses.FormatTime(credentials.Expiration));
        });
    }

    private static void Validate(LocalStsServerOptions options)
    {
        if (options.MaxSessionDuration is < 3600 or > 43200)
        {
            throw new ArgumentException("MaxSessionDuration must be 3600 to 43200 seconds, as RAM allows.", nameof(options));
        }

        if (options.CredentialsUriLifetime < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException("CredentialsUriLifetime must be at least one second.", nameof(options));
        }

        foreach (var caller in options.Callers)
        {
            if (string.IsNullOrEmpty(caller.AccessKeyId) || string.IsNullOrEmpty(caller.AccessKeySecret))
            {
                throw new ArgumentException("Every caller needs an AccessKeyId and an AccessKeySecret.", nameof(options));
            }
        }
    }
}
