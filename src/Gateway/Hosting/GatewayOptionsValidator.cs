using System.Text.RegularExpressions;
using Gateway.Admin;
using Gateway.Buckets;
using Microsoft.Extensions.Options;

namespace Gateway.Hosting;

/// <summary>
/// Checks the whole <c>Gateway</c> section at start, so a bad setting stops the process with the
/// configuration key in the message instead of failing on the first download.
/// </summary>
/// <param name="configuration">Where the default credentials chain looks for OSS_* and ALIBABA_CLOUD_* (null: the process environment).</param>
internal sealed partial class GatewayOptionsValidator(IConfiguration? configuration = null) : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("Gateway:DataDirectory must not be empty.");
        }

        if (options.PublicBaseUrl is { } publicBase && (!publicBase.IsAbsoluteUri || publicBase.Scheme is not ("http" or "https")))
        {
            failures.Add("Gateway:PublicBaseUrl must be an absolute http or https URL.");
        }

        foreach (var (alias, bucket) in options.Buckets)
        {
            ValidateBucket(alias, bucket, failures);
            CredentialsPlan.Resolve(alias, bucket, Environment, failures);
        }

        if (options.Downloads.SessionWindow < TimeSpan.FromMinutes(1) || options.Downloads.SessionWindow > TimeSpan.FromDays(7))
        {
            failures.Add("Gateway:Downloads:SessionWindow must be between 00:01:00 and 7.00:00:00.");
        }

        if (options.Downloads.RedirectLifetime < TimeSpan.FromSeconds(1) || options.Downloads.RedirectLifetime > TimeSpan.FromHours(1))
        {
            failures.Add("Gateway:Downloads:RedirectLifetime must be between 00:00:01 and 01:00:00 (a redirect is followed at once).");
        }

        if (options.Downloads.UpstreamActivityTimeout < TimeSpan.FromSeconds(1) || options.Downloads.UpstreamActivityTimeout > TimeSpan.FromHours(1))
        {
            failures.Add("Gateway:Downloads:UpstreamActivityTimeout must be between 00:00:01 and 01:00:00.");
        }

        ValidatePreviewBots(options.Downloads, failures);

        if (options.Links.ExpiredRetention < TimeSpan.Zero)
        {
            failures.Add("Gateway:Links:ExpiredRetention must not be negative.");
        }

        if (options.Links.ReplicaAckTimeout < TimeSpan.Zero || options.Links.ReplicaAckTimeout > TimeSpan.FromSeconds(1))
        {
            // At most a second: the wait holds up the request that made the write, and the store's own timeout is two.
            failures.Add("Gateway:Links:ReplicaAckTimeout must be between 00:00:00 (no waiting) and 00:00:01.");
        }

        if (options.ShutdownDelay < TimeSpan.Zero || options.ShutdownDelay > TimeSpan.FromMinutes(10))
        {
            failures.Add("Gateway:ShutdownDelay must be between 00:00:00 (close the listener at SIGTERM) and 00:10:00.");
        }

        if (options.ShutdownTimeout < TimeSpan.Zero || options.ShutdownTimeout > TimeSpan.FromDays(1))
        {
            failures.Add("Gateway:ShutdownTimeout must be between 00:00:00 (abort downloads at once) and 1.00:00:00.");
        }

        for (var i = 0; i < options.TrustedProxies.Length; i++)
        {
            if (!Downloads.ClientAddress.TryParseNetwork(options.TrustedProxies[i], out _))
            {
                failures.Add($"Gateway:TrustedProxies:{i} must be an IP address or a CIDR network such as 10.0.0.0/8, not '{options.TrustedProxies[i]}'.");
            }
        }

        foreach (var (keyName, apiKey) in options.Admin.ApiKeys)
        {
            ValidateApiKey(keyName, apiKey, options.Buckets, failures);
        }

        ValidateAdmin(options.Admin, failures);
        ValidateAbuse(options.Abuse, failures);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateBucket(string alias, BucketOptions bucket, List<string> failures)
    {
        var prefix = $"Gateway:Buckets:{alias}";
        if (!BucketAliasPattern().IsMatch(alias))
        {
            failures.Add($"{prefix}: the alias must match [A-Za-z0-9_-]{{1,64}}.");
        }

        if (bucket.Endpoint is not { IsAbsoluteUri: true } endpoint || endpoint.Scheme is not ("http" or "https"))
        {
            failures.Add($"{prefix}:Endpoint must be an absolute http or https URL, e.g. https://oss-cn-hangzhou.aliyuncs.com.");
        }
        else if (endpoint.AbsolutePath != "/" || !string.IsNullOrEmpty(endpoint.Query))
        {
            failures.Add($"{prefix}:Endpoint must not have a path or query.");
        }

        if (!BucketNamePattern().IsMatch(bucket.Bucket))
        {
            failures.Add($"{prefix}:Bucket must be an OSS bucket name: 3-63 lower-case letters, digits and '-', starting and ending with a letter or digit.");
        }

        if (string.IsNullOrWhiteSpace(bucket.Region))
        {
            failures.Add($"{prefix}:Region is required (e.g. cn-hangzhou): OSS Signature V4 signs it.");
        }
        else if (bucket.Region.StartsWith("oss-", StringComparison.Ordinal))
        {
            failures.Add($"{prefix}:Region is the bare region id (cn-hangzhou), not '{bucket.Region}'.");
        }

        if (!Enum.IsDefined(bucket.AddressingStyle))
        {
            failures.Add($"{prefix}:AddressingStyle must be VirtualHosted, Path or Cname.");
        }
    }

    private string? Environment(string name) => configuration is null ? System.Environment.GetEnvironmentVariable(name) : configuration[name];

    private static void ValidateApiKey(string keyName, ApiKeyOptions apiKey, Dictionary<string, BucketOptions> buckets, List<string> failures)
    {
        var prefix = $"Gateway:Admin:ApiKeys:{keyName}";
        if (!Sha256HexPattern().IsMatch(apiKey.Sha256))
        {
            failures.Add($"{prefix}:Sha256 must be the lower-case hex SHA-256 of the key (64 characters).");
        }

        if (apiKey.Scopes.Length == 0)
        {
            failures.Add($"{prefix}:Scopes must list at least one of {string.Join(", ", ApiScopes.All)}.");
        }

        foreach (var scope in apiKey.Scopes)
        {
            if (!ApiScopes.All.Contains(scope))
            {
                failures.Add($"{prefix}:Scopes has unknown scope '{scope}'; known: {string.Join(", ", ApiScopes.All)}.");
            }
        }

        for (var i = 0; i < apiKey.Buckets.Length; i++)
        {
            // A typo here would silently lock the key out of the bucket it was meant for.
            if (!buckets.ContainsKey(apiKey.Buckets[i]))
            {
                failures.Add($"{prefix}:Buckets:{i} names bucket alias '{apiKey.Buckets[i]}', which is not configured; configured: {string.Join(", ", buckets.Keys)}.");
            }
        }

        for (var i = 0; i < apiKey.KeyPrefixes.Length; i++)
        {
            if (CreateLinkValidator.KeyError(apiKey.KeyPrefixes[i]) is { } error)
            {
                failures.Add($"{prefix}:KeyPrefixes:{i} must be the start of an object key: {error}");
            }
        }

        if (apiKey.MaxLinkLifetime is { } lifetime && (lifetime < TimeSpan.FromSeconds(1) || lifetime > TimeSpan.FromDays(36_500)))
        {
            failures.Add($"{prefix}:MaxLinkLifetime must be between 00:00:01 and 36500.00:00:00.");
        }

        if (apiKey.MaxDownloads is < 1 or > CreateLinkValidator.MaxDownloadLimit)
        {
            failures.Add($"{prefix}:MaxDownloads must be between 1 and {CreateLinkValidator.MaxDownloadLimit}.");
        }
    }

    private static void ValidatePreviewBots(DownloadOptions downloads, List<string> failures)
    {
        if (!Downloads.PreviewBots.TryParseMode(downloads.PreviewBots, out _))
        {
            failures.Add($"Gateway:Downloads:PreviewBots must be '{Downloads.PreviewBots.PageMode}' or '{Downloads.PreviewBots.ServeMode}', not '{downloads.PreviewBots}'.");
        }

        var agents = downloads.PreviewBotUserAgents ?? [];
        for (var i = 0; i < agents.Length; i++)
        {
            // An empty entry would match every User-Agent and turn every download of a limited link into a preview.
            if (string.IsNullOrWhiteSpace(agents[i]) || agents[i].Length > 200)
            {
                failures.Add($"Gateway:Downloads:PreviewBotUserAgents:{i} must be a non-empty User-Agent substring of at most 200 characters.");
            }
        }
    }

    private static void ValidateAdmin(AdminOptions admin, List<string> failures)
    {
        if (admin.AuditMaxLength is < 100 or > 100_000_000)
        {
            failures.Add("Gateway:Admin:AuditMaxLength must be between 100 and 100000000.");
        }

        if (admin.MaxScanPerRequest is < 100 or > 100_000)
        {
            failures.Add("Gateway:Admin:MaxScanPerRequest must be between 100 and 100000.");
        }
    }

    private static void ValidateAbuse(AbuseOptions abuse, List<string> failures)
    {
        var downloads = abuse.Downloads;
        if (downloads.Limit < 0)
        {
            failures.Add("Gateway:Abuse:Downloads:Limit must not be negative (0 switches the limit off).");
        }

        if (downloads.Window < TimeSpan.FromSeconds(1) || downloads.Window > TimeSpan.FromDays(1))
        {
            failures.Add("Gateway:Abuse:Downloads:Window must be between 00:00:01 and 1.00:00:00.");
        }

        if (downloads.MaxTrackedClients is < 1 or > 10_000_000)
        {
            failures.Add("Gateway:Abuse:Downloads:MaxTrackedClients must be between 1 and 10000000.");
        }

        if (downloads.StoreTimeout < TimeSpan.FromMilliseconds(10) || downloads.StoreTimeout > TimeSpan.FromSeconds(2))
        {
            // At most the store's own command timeout: waiting longer could never bring an answer.
            failures.Add("Gateway:Abuse:Downloads:StoreTimeout must be between 00:00:00.010 and 00:00:02.");
        }

        if (abuse.Admin.Limit < 0)
        {
            failures.Add("Gateway:Abuse:Admin:Limit must not be negative (0 switches the limit off).");
        }

        if (abuse.Admin.Window < TimeSpan.FromSeconds(1) || abuse.Admin.Window > TimeSpan.FromDays(1))
        {
            failures.Add("Gateway:Abuse:Admin:Window must be between 00:00:01 and 1.00:00:00.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}\\z")]
    private static partial Regex BucketAliasPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\\z")]
    private static partial Regex BucketNamePattern();

    [GeneratedRegex("^[0-9a-f]{64}\\z")]
    private static partial Regex Sha256HexPattern();
}
