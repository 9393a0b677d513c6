using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Gateway.Admin;

/// <summary><c>Authorization: Bearer &lt;api key&gt;</c>; 401 without a valid key, 403 without the scope.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyRegistry keys,
    TimeProvider time,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";

    private const string BearerPrefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? authorization = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(authorization))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.Fail("The Authorization header must be 'Bearer <api key>'."));
        }

        var key = keys.Find(authorization[BearerPrefix.Length..].Trim());
        if (key is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        }

        if (key.ExpiresAt is { } expiresAt && time.GetUtcNow() >= expiresAt)
        {
            return Task.FromResult(AuthenticateResult.Fail("This API key has expired."));
        }

        var claims = new List<Claim>(key.Scopes.Count + 1) { new(ClaimTypes.Name, key.Name) };
        foreach (var scope in key.Scopes)
        {
            claims.Add(new Claim(ApiScopes.ClaimType, scope));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // The reason (malformed header, unknown or expired key) helps the caller and reveals nothing a guesser could use.
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        var reason = result.Failure is { } failure ? failure.Message + " " : "";
        await WriteProblemAsync(reason + "A valid API key is required: send 'Authorization: Bearer <api key>'.").ConfigureAwait(false);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return WriteProblemAsync("This API key lacks the scope this call requires.");
    }

    private Task WriteProblemAsync(string detail)
    {
        Response.Headers.CacheControl = "no-store";
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = Response.StatusCode, Detail = detail },
        }).AsTask();
    }
}
