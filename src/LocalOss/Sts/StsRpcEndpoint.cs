using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace LocalOss.Sts;

/// <summary>
/// STS API version 2015-04-01 at <c>/</c>: AssumeRole, signed as credentials-go signs it (<see cref="RpcSignature"/>),
/// and the anonymous AssumeRoleWithOIDC. Checks run in the order a failing client most needs to learn about: the
/// request's shape, its time, the key, the signature, the nonce, then the action's own parameters.
/// </summary>
internal sealed class StsRpcEndpoint
{
    public const string AssumeRoleAction = "AssumeRole";
    public const string AssumeRoleWithOidcAction = "AssumeRoleWithOIDC";

    private const string ApiVersion = "2015-04-01";
    private const string SignatureParameter = "Signature";
    private const int MinDurationSeconds = 900;
    private const int DefaultDurationSeconds = 3600;
    private const int MaxRememberedNonces = 4096;
    private static readonly TimeSpan TimestampWindow = TimeSpan.FromMinutes(15);

    private readonly LocalStsServerOptions _options;
    private readonly LocalStsIssuer _issuer;
    private readonly FailureInjection _failures;
    private readonly LifetimeOverride _lifetime;
    private readonly FrozenDictionary<string, LocalStsCaller> _callers;
    private readonly FrozenSet<string> _allowedRoles;
    private readonly FrozenSet<string> _oidcProviders;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _nonces = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<LocalStsCall> _calls = new();
    private FrozenSet<string> _oidcTokens;

    public StsRpcEndpoint(LocalStsServerOptions options, LocalStsIssuer issuer, FailureInjection failures, LifetimeOverride lifetime)
    {
        _options = options;
        _issuer = issuer;
        _failures = failures;
        _lifetime = lifetime;
        _callers = options.Callers.ToFrozenDictionary(caller => caller.AccessKeyId, StringComparer.Ordinal);

        // RAM names are case-insensitive, so ARNs naming the same role must match whatever their case.
        _allowedRoles = options.AllowedRoleArns.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        _oidcProviders = options.OidcProviderArns.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        _oidcTokens = options.OidcTokens.ToFrozenSet(StringComparer.Ordinal);
    }

    public IReadOnlyList<LocalStsCall> Calls => [.. _calls];

    public void SetAcceptedOidcTokens(IEnumerable<string> tokens) =>
        Volatile.Write(ref _oidcTokens, tokens.ToFrozenSet(StringComparer.Ordinal));

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var requestId = StsResponses.NewRequestId();
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsPost(request.Method))
        {
            await StsResponses.WriteErrorAsync(context, StsError.UnsupportedHttpMethod(), requestId);
            return;
        }

        var parameters = await RpcParameters.ReadAsync(request, context.RequestAborted);
        var action = parameters.Get("Action") ?? "";
        string? caller = null;
        Grant? grant = null;
        var error = _failures.TryTake(out var injected) ? StsError.Injected(injected)
            : parameters.Duplicate is { } duplicate ? StsError.DuplicateParameter(duplicate)
            : action switch
            {
                AssumeRoleAction => AssumeRole(parameters, request.Method, out caller, out grant),
                AssumeRoleWithOidcAction => AssumeRoleWithOidc(parameters, out grant),
                "" => StsError.Missing("Action"),
                _ => StsError.ApiNotFound(),
            };

        var status = error?.StatusCode ?? StatusCodes.Status200OK;
        _calls.Enqueue(new LocalStsCall(
            action,
            request.Method,
            caller ?? (action == AssumeRoleAction ? parameters.Get("AccessKeyId") : null),
            parameters.Get("RoleArn"),
            parameters.Get("RoleSessionName"),
            int.TryParse(parameters.Get("DurationSeconds"), NumberStyles.None, CultureInfo.InvariantCulture, out var duration) ? duration : null,
            parameters.Get("ExternalId"),
            parameters.Get("Policy") is not null,
            (HttpStatusCode)status));

        if (error is not null)
        {
            await StsResponses.WriteErrorAsync(context, error, requestId);
            return;
        }

        await StsResponses.WriteJsonAsync(context, status, writer =>
        {
            writer.WriteString("RequestId", requestId);
            writer.WriteStartObject("AssumedRoleUser");
            writer.WriteString("Arn", grant!.RoleArn + "/" + grant.SessionName);
            writer.WriteString("AssumedRoleId", RoleId(grant.RoleArn) + ":" + grant.SessionName);
            writer.WriteEndObject();
            writer.WriteStartObject("Credentials");
            StsResponses.WriteCredentials(writer, grant.Credentials);
            writer.WriteEndObject();
        });
    }

    private StsError? AssumeRole(RpcParameters parameters, string method, out string? caller, out Grant? grant)
    {
        caller = null;
        grant = null;
        if (CheckCommon(parameters) is { } commonError)
        {
            return commonError;
        }

        foreach (var name in (ReadOnlySpan<string>)["AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce"])
        {
            if (string.IsNullOrEmpty(parameters.Get(name)))
            {
                return StsError.Missing(name);
            }
        }

        if (parameters.Get("SignatureMethod") != "HMAC-SHA1")
        {
            return StsError.InvalidSignatureMethod();
        }

        if (parameters.Get("SignatureVersion") != "1.0")
        {
            return StsError.InvalidSignatureVersion();
        }

        if (CheckTimestamp(parameters.Get("Timestamp")) is { } timeError)
        {
            return timeError;
        }

        if (parameters.Get(SignatureParameter) is not { Length: > 0 } signature)
        {
            return StsError.Missing(SignatureParameter);
        }

        var accessKeyId = parameters.Get("AccessKeyId")!;
        caller = accessKeyId;
        if (FindCallerSecret(accessKeyId, parameters.Get("SecurityToken"), out var secret) is { } keyError)
        {
            return keyError;
        }

        if (!SecretEquals(Gateway.Oss.RpcSignature.Compute(method, parameters.All, secret!), signature))
        {
            return StsError.SignatureDoesNotMatch();
        }

        // Only a correctly signed call uses its nonce up, so a client retrying after a signing bug is told the real problem.
        if (!RememberNonce(parameters.Get("SignatureNonce")!))
        {
            return StsError.NonceUsed();
        }

        return Assume(parameters, StsError.NoPermission(), out grant);
    }

    private StsError? AssumeRoleWithOidc(RpcParameters parameters, out Grant? grant)
    {
        grant = null;
        if (CheckCommon(parameters) is { } commonError)
        {
            return commonError;
        }

        if (parameters.Get("OIDCProviderArn") is not { Length: > 0 } provider)
        {
            return StsError.Missing("OIDCProviderArn");
        }

        if (!_oidcProviders.Contains(provider))
        {
            return StsError.OidcProviderUnknown();
        }

        if (parameters.Get("OIDCToken") is not { Length: > 0 } token)
        {
            return StsError.OidcTokenEmpty();
        }

        if (!Volatile.Read(ref _oidcTokens).Contains(token))
        {
            return StsError.OidcTokenRejected();
        }

        return Assume(parameters, StsError.OidcNoPermission(), out grant);
    }

    /// <summary>The parameters both actions share: which role, for whom, how long, with which policy.</summary>
    private StsError? Assume(RpcParameters parameters, StsError notAllowed, out Grant? grant)
    {
        grant = null;
        if (parameters.Get("RoleArn") is not { Length: > 0 } roleArn)
        {
            return StsError.Missing("RoleArn");
        }

        if (!IsRoleArn(roleArn))
        {
            return StsError.InvalidRoleArn();
        }

        if (parameters.Get("RoleSessionName") is not { Length: > 0 } sessionName)
        {
            return StsError.Missing("RoleSessionName");
        }

        if (!IsSessionName(sessionName))
        {
            return StsError.InvalidRoleSessionName();
        }

        var duration = DefaultDurationSeconds;
        if (parameters.Get("DurationSeconds") is { } durationText
            && (!int.TryParse(durationText, NumberStyles.None, CultureInfo.InvariantCulture, out duration) || duration < MinDurationSeconds || duration > _options.MaxSessionDuration))
        {
            return StsError.InvalidDuration(_options.MaxSessionDuration);
        }

        if (parameters.Get("Policy") is { } policy && !IsJsonObject(policy))
        {
            return StsError.PolicyGrammar();
        }

        if (_allowedRoles.Count > 0 && !_allowedRoles.Contains(roleArn))
        {
            return notAllowed;
        }

        var credentials = _issuer.Issue(roleArn, sessionName, _lifetime.Apply(TimeSpan.FromSeconds(duration)));
        grant = new Grant(roleArn, sessionName, credentials);
        return null;
    }

    private static StsError? CheckCommon(RpcParameters parameters)
    {
        if (parameters.Get("Version") is not { Length: > 0 } version)
        {
            return StsError.Missing("Version");
        }

        if (version != ApiVersion)
        {
            return StsError.InvalidVersion();
        }

        // Without Format STS answers XML; this stand-in speaks JSON only, as credentials-go asks.
        return string.Equals(parameters.Get("Format"), "JSON", StringComparison.OrdinalIgnoreCase) ? null : StsError.InvalidFormat();
    }

    private StsError? CheckTimestamp(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return StsError.MissingTimestamp();
        }

        if (!DateTimeOffset.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var timestamp))
        {
            return StsError.TimestampFormat();
        }

        return (_issuer.TimeProvider.GetUtcNow() - timestamp).Duration() > TimestampWindow ? StsError.TimestampExpired() : null;
    }

    /// <summary>The secret of a configured caller or, for role chaining, of credentials this server's issuer minted.</summary>
    private StsError? FindCallerSecret(string accessKeyId, string? securityToken, out string? secret)
    {
        secret = null;
        if (_callers.TryGetValue(accessKeyId, out var caller))
        {
            if (caller.SecurityToken is not null)
            {
                if (string.IsNullOrEmpty(securityToken))
                {
                    return StsError.Missing("SecurityToken");
                }

                if (!SecretEquals(caller.SecurityToken, securityToken))
                {
                    return StsError.SecurityTokenMismatch();
                }
            }

            secret = caller.AccessKeySecret;
            return null;
        }

        if (!LocalStsIssuer.IsTemporaryAccessKeyId(accessKeyId))
        {
            return StsError.AccessKeyNotFound();
        }

        if (string.IsNullOrEmpty(securityToken))
        {
            return StsError.Missing("SecurityToken");
        }

        var validation = _issuer.Validate(accessKeyId, securityToken, _issuer.TimeProvider.GetUtcNow());
        secret = validation.AccessKeySecret;
        return validation.Status switch
        {
            StsTokenStatus.Valid => null,
            StsTokenStatus.Expired => StsError.SecurityTokenExpired(),
            _ => StsError.SecurityTokenMalformed(),
        };
    }

    private bool RememberNonce(string nonce)
    {
        var now = _issuer.TimeProvider.GetUtcNow();
        if (_nonces.Count >= MaxRememberedNonces)
        {
            // A nonce older than the timestamp window can never come back with an acceptable timestamp.
            foreach (var (old, seen) in _nonces)
            {
                if (now - seen > 2 * TimestampWindow)
                {
                    _nonces.TryRemove(old, out _);
                }
            }
        }

        return _nonces.TryAdd(nonce, now);
    }

    /// <summary><c>acs:ram::&lt;account digits&gt;:role/&lt;name&gt;</c>.</summary>
    private static bool IsRoleArn(string arn)
    {
        const string Prefix = "acs:ram::";
        const string RoleMarker = ":role/";
        if (!arn.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var marker = arn.IndexOf(RoleMarker, Prefix.Length, StringComparison.OrdinalIgnoreCase);
        if (marker <= Prefix.Length || marker + RoleMarker.Length >= arn.Length)
        {
            return false;
        }

        var account = arn.AsSpan(Prefix.Length, marker - Prefix.Length);
        return !account.ContainsAnyExceptInRange('0', '9') && !arn.AsSpan(marker).ContainsAny(" \t\r\n");
    }

    /// <summary>2 to 64 of letters, digits, '.', '@', '-' and '_' (STS's AssumeRole reference).</summary>
    private static bool IsSessionName(string name)
    {
        if (name.Length is < 2 or > 64)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '@' or '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A stable role id per ARN, shaped like RAM's (digits), so AssumedRoleId reads like the real one.</summary>
    private static string RoleId(string roleArn)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(roleArn.ToUpperInvariant()));
        var value = BitConverter.ToUInt64(hash, 0) % 1_000_000_000_000_000_000UL;
        return value.ToString("D18", CultureInfo.InvariantCulture);
    }

    private sealed record Grant(string RoleArn, string SessionName, IssuedCredentials Credentials);

    /// <summary>Compares in constant time: signatures and tokens are secret-derived values.</summary>
    private static bool SecretEquals(string expected, string provided) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(provided));
}
