using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.Hosting;
using Gateway.Oss;

namespace Gateway.Buckets;

/// <summary>The credential types of Alibaba Cloud's credentials SDKs that a bucket can use.</summary>
internal enum CredentialsType
{
    AccessKey,
    Sts,
    EcsRamRole,
    OidcRoleArn,
    RamRoleArn,
    CredentialsUri,
}

/// <summary>
/// What a bucket's credentials resolve to, with every default applied: from its <c>Credentials</c>
/// section, the bucket-level AccessKeyId/AccessKeySecret shorthand, or — when neither is set — the
/// SDKs' default chain over the environment, in this order:
/// <list type="number">
/// <item><c>OSS_ACCESS_KEY_ID</c>/<c>OSS_ACCESS_KEY_SECRET</c> (+ <c>OSS_SESSION_TOKEN</c>);</item>
/// <item><c>ALIBABA_CLOUD_ACCESS_KEY_ID</c>/<c>ALIBABA_CLOUD_ACCESS_KEY_SECRET</c> (+ <c>ALIBABA_CLOUD_SECURITY_TOKEN</c>);</item>
/// <item>RRSA: <c>ALIBABA_CLOUD_ROLE_ARN</c>, <c>ALIBABA_CLOUD_OIDC_PROVIDER_ARN</c> and <c>ALIBABA_CLOUD_OIDC_TOKEN_FILE</c>;</item>
/// <item><c>ALIBABA_CLOUD_CREDENTIALS_URI</c>;</item>
/// <item>the ECS instance's RAM role, unless <c>ALIBABA_CLOUD_ECS_METADATA_DISABLED=true</c>.</item>
/// </list>
/// The SDKs try the URI after the ECS role at run time; resolving once at start, an explicitly set URI
/// wins over the role every instance could have.
/// </summary>
internal sealed partial record CredentialsPlan(CredentialsType Type, string Source)
{
    public const int DefaultDurationSeconds = 3600;

    /// <summary>AccessKey and Sts: the credentials; RamRoleArn: the caller's.</summary>
    public OssCredentials? Static { get; init; }

    /// <summary>RamRoleArn and OidcRoleArn.</summary>
    public StsRoleRequest? Role { get; init; }

    public string? ExternalId { get; init; }

    public string? OidcProviderArn { get; init; }

    public string? OidcTokenFile { get; init; }

    public string? RoleName { get; init; }

    public bool AllowImdsV1 { get; init; }

    public Uri? Uri { get; init; }

    /// <summary>The plan, or null with the reasons added to <paramref name="failures"/> (each naming its key).</summary>
    public static CredentialsPlan? Resolve(string alias, BucketOptions bucket, Func<string, string?> environment, List<string> failures)
    {
        var settings = bucket.Credentials;
        var prefix = $"Gateway:Buckets:{alias}:Credentials";
        var before = failures.Count;
        CredentialsPlan? plan;
        if (string.IsNullOrWhiteSpace(settings.Type))
        {
            plan = HasBucketLevelKey(bucket) || !string.IsNullOrEmpty(settings.AccessKeyId) || !string.IsNullOrEmpty(settings.AccessKeySecret)
                ? ResolveKeyPair(alias, bucket, null, failures)
                : ResolveDefaultChain(alias, settings, environment, failures);
        }
        else if (!Enum.TryParse<CredentialsType>(settings.Type.Trim(), ignoreCase: true, out var type) || !Enum.IsDefined(type) || int.TryParse(settings.Type, out _))
        {
            failures.Add($"{prefix}:Type must be one of {string.Join(", ", Enum.GetNames<CredentialsType>())}, not '{settings.Type}'.");
            plan = null;
        }
        else
        {
            plan = type switch
            {
                CredentialsType.AccessKey or CredentialsType.Sts => ResolveKeyPair(alias, bucket, type, failures),
                CredentialsType.EcsRamRole => EcsRamRole(settings, environment, $"{prefix}:Type"),
                CredentialsType.OidcRoleArn => ResolveOidc(prefix, settings, environment, failures, $"{prefix}:Type"),
                CredentialsType.RamRoleArn => ResolveRamRoleArn(alias, bucket, environment, failures),
                _ => ResolveUri(prefix, settings.Uri?.OriginalString, $"{prefix}:Uri", failures, $"{prefix}:Type"),
            };
        }

        return failures.Count == before ? plan : null;
    }

    private static bool HasBucketLevelKey(BucketOptions bucket) =>
        !string.IsNullOrEmpty(bucket.AccessKeyId) || !string.IsNullOrEmpty(bucket.AccessKeySecret) || !string.IsNullOrEmpty(bucket.SecurityToken);

    /// <summary>AccessKey or Sts from the Credentials section or the bucket-level shorthand (not both).</summary>
    private static CredentialsPlan? ResolveKeyPair(string alias, BucketOptions bucket, CredentialsType? declared, List<string> failures)
    {
        var settings = bucket.Credentials;
        var bucketPrefix = $"Gateway:Buckets:{alias}";
        var prefix = $"{bucketPrefix}:Credentials";
        var fromSection = !string.IsNullOrEmpty(settings.AccessKeyId) || !string.IsNullOrEmpty(settings.AccessKeySecret) || !string.IsNullOrEmpty(settings.SecurityToken);
        if (fromSection && HasBucketLevelKey(bucket))
        {
            failures.Add($"{bucketPrefix}: set the key pair either in {prefix} or at the bucket level, not both.");
            return null;
        }

        var (id, secret, token, keyPrefix) = fromSection
            ? (settings.AccessKeyId, settings.AccessKeySecret, settings.SecurityToken, prefix)
            : (bucket.AccessKeyId, bucket.AccessKeySecret, bucket.SecurityToken, bucketPrefix);
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret))
        {
            failures.Add($"{keyPrefix}: set both AccessKeyId and AccessKeySecret.");
            return null;
        }

        var type = declared ?? (string.IsNullOrEmpty(token) ? CredentialsType.AccessKey : CredentialsType.Sts);
        if (type == CredentialsType.Sts && string.IsNullOrEmpty(token))
        {
            failures.Add($"{keyPrefix}:SecurityToken is required for Type Sts.");
            return null;
        }

        if (type == CredentialsType.AccessKey && !string.IsNullOrEmpty(token))
        {
            failures.Add($"{keyPrefix}:SecurityToken is set: use Type Sts for STS credentials.");
            return null;
        }

        return KeyPair(type, id, secret, token, keyPrefix, failures);
    }

    private static CredentialsPlan? ResolveDefaultChain(string alias, BucketCredentialsOptions settings, Func<string, string?> environment, List<string> failures)
    {
        if (Variable(environment, EnvironmentCredentialsProvider.AccessKeyIdVariable) is { } ossId
            && Variable(environment, EnvironmentCredentialsProvider.AccessKeySecretVariable) is { } ossSecret)
        {
            var token = Variable(environment, EnvironmentCredentialsProvider.SessionTokenVariable);
            return KeyPair(token is null ? CredentialsType.AccessKey : CredentialsType.Sts, ossId, ossSecret, token, "OSS_ACCESS_KEY_ID", failures);
        }

        if (Variable(environment, "ALIBABA_CLOUD_ACCESS_KEY_ID") is { } id && Variable(environment, "ALIBABA_CLOUD_ACCESS_KEY_SECRET") is { } secret)
        {
            var token = Variable(environment, "ALIBABA_CLOUD_SECURITY_TOKEN");
            return KeyPair(token is null ? CredentialsType.AccessKey : CredentialsType.Sts, id, secret, token, "ALIBABA_CLOUD_ACCESS_KEY_ID", failures);
        }

        if (Variable(environment, "ALIBABA_CLOUD_ROLE_ARN") is not null
            && Variable(environment, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN") is not null
            && Variable(environment, "ALIBABA_CLOUD_OIDC_TOKEN_FILE") is not null)
        {
            return ResolveOidc($"Gateway:Buckets:{alias}:Credentials", settings, environment, failures, "ALIBABA_CLOUD_OIDC_TOKEN_FILE");
        }

        if (Variable(environment, "ALIBABA_CLOUD_CREDENTIALS_URI") is { } uri)
        {
            return ResolveUri($"Gateway:Buckets:{alias}:Credentials", uri, "ALIBABA_CLOUD_CREDENTIALS_URI", failures, "ALIBABA_CLOUD_CREDENTIALS_URI");
        }

        if (!string.Equals(Variable(environment, "ALIBABA_CLOUD_ECS_METADATA_DISABLED"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return EcsRamRole(settings, environment, "the default chain (no key pair, RRSA or credentials URI is configured)");
        }

        failures.Add($"Gateway:Buckets:{alias}: no credentials: set {alias}'s Credentials:Type (or AccessKeyId and AccessKeySecret), or the environment variables OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET; the ECS RAM role is disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED.");
        return null;
    }

    private static CredentialsPlan EcsRamRole(BucketCredentialsOptions settings, Func<string, string?> environment, string source) =>
        new(CredentialsType.EcsRamRole, source)
        {
            RoleName = NonEmpty(settings.RoleName) ?? Variable(environment, "ALIBABA_CLOUD_ECS_METADATA"),
            AllowImdsV1 = settings.AllowImdsV1,
        };

    private static CredentialsPlan? ResolveOidc(string prefix, BucketCredentialsOptions settings, Func<string, string?> environment, List<string> failures, string source)
    {
        var providerArn = NonEmpty(settings.OidcProviderArn) ?? Variable(environment, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN");
        var tokenFile = NonEmpty(settings.OidcTokenFile) ?? Variable(environment, "ALIBABA_CLOUD_OIDC_TOKEN_FILE");
        if (providerArn is null)
        {
            failures.Add($"{prefix}:OidcProviderArn (or ALIBABA_CLOUD_OIDC_PROVIDER_ARN) is required for Type OidcRoleArn.");
        }

        if (tokenFile is null)
        {
            failures.Add($"{prefix}:OidcTokenFile (or ALIBABA_CLOUD_OIDC_TOKEN_FILE) is required for Type OidcRoleArn.");
        }

        var role = ResolveRole(prefix, settings, environment, failures, "OidcRoleArn");
        return role is null || providerArn is null || tokenFile is null
            ? null
            : new CredentialsPlan(CredentialsType.OidcRoleArn, source) { Role = role, OidcProviderArn = providerArn, OidcTokenFile = tokenFile };
    }

    private static CredentialsPlan? ResolveRamRoleArn(string alias, BucketOptions bucket, Func<string, string?> environment, List<string> failures)
    {
        var prefix = $"Gateway:Buckets:{alias}:Credentials";
        var settings = bucket.Credentials;
        var role = ResolveRole(prefix, settings, environment, failures, "RamRoleArn");
        var caller = ResolveKeyPair(alias, bucket, string.IsNullOrEmpty(settings.SecurityToken) && string.IsNullOrEmpty(bucket.SecurityToken) ? CredentialsType.AccessKey : CredentialsType.Sts, failures);
        return role is null || caller is null
            ? null
            : new CredentialsPlan(CredentialsType.RamRoleArn, $"{prefix}:Type") { Role = role, Static = caller.Static, ExternalId = NonEmpty(settings.ExternalId) };
    }

    private static CredentialsPlan? ResolveUri(string prefix, string? text, string key, List<string> failures, string source)
    {
        text = NonEmpty(text);
        if (text is null)
        {
            failures.Add($"{prefix}:Uri (or ALIBABA_CLOUD_CREDENTIALS_URI) is required for Type CredentialsUri.");
            return null;
        }

        if (!System.Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            // The value is not echoed: a credentials URI may carry a token of its own.
            failures.Add($"{key} must be an absolute http or https URL.");
            return null;
        }

        return new CredentialsPlan(CredentialsType.CredentialsUri, source) { Uri = uri };
    }

    private static StsRoleRequest? ResolveRole(string prefix, BucketCredentialsOptions settings, Func<string, string?> environment, List<string> failures, string type)
    {
        var before = failures.Count;
        var roleArn = NonEmpty(settings.RoleArn) ?? Variable(environment, "ALIBABA_CLOUD_ROLE_ARN");
        if (roleArn is null)
        {
            failures.Add($"{prefix}:RoleArn (or ALIBABA_CLOUD_ROLE_ARN) is required for Type {type}.");
        }

        var sessionName = NonEmpty(settings.RoleSessionName) ?? Variable(environment, "ALIBABA_CLOUD_ROLE_SESSION_NAME")
            ?? "gateway-" + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        if (!SessionNamePattern().IsMatch(sessionName))
        {
            failures.Add($"{prefix}:RoleSessionName must be 2-64 letters, digits and '.@-_', not '{sessionName}'.");
        }

        var duration = settings.DurationSeconds ?? DefaultDurationSeconds;
        if (duration is < StsRoleRequest.MinimumDurationSeconds or > StsRoleRequest.MaximumDurationSeconds)
        {
            failures.Add($"{prefix}:DurationSeconds must be between {StsRoleRequest.MinimumDurationSeconds} and {StsRoleRequest.MaximumDurationSeconds}, not {duration}.");
        }

        return failures.Count == before ? new StsRoleRequest(roleArn!, sessionName, TimeSpan.FromSeconds(duration), NonEmpty(settings.Policy)) : null;
    }

    private static CredentialsPlan? KeyPair(CredentialsType type, string id, string secret, string? token, string source, List<string> failures)
    {
        try
        {
            return new CredentialsPlan(type, source) { Static = new OssCredentials(id.Trim(), secret.Trim(), NonEmpty(token)) };
        }
        catch (ArgumentException ex)
        {
            failures.Add($"{source}: {ex.Message}");
            return null;
        }
    }

    private static string? Variable(Func<string, string?> environment, string name) => NonEmpty(environment(name));

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex(@"^[\w.@-]{2,64}\z")]
    private static partial Regex SessionNamePattern();
}
