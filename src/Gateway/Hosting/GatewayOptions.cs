using Gateway.Oss;

namespace Gateway.Hosting;

/// <summary>The <c>Gateway</c> configuration section.</summary>
internal sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Embedded store persistence and demo files.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Base of the short URLs the API returns; null means "from the request".</summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>Buckets by alias. Links name a bucket by its alias, never by endpoint.</summary>
    public Dictionary<string, BucketOptions> Buckets { get; set; } = new(StringComparer.Ordinal);

    public AdminOptions Admin { get; set; } = new();

    public DownloadOptions Downloads { get; set; } = new();

    public LinkOptions Links { get; set; } = new();

    public AbuseOptions Abuse { get; set; } = new();

    /// <summary>
    /// Addresses or CIDR networks of reverse proxies whose X-Forwarded-For is believed. Empty (the
    /// default) means the client is always the TCP peer, so nobody can spoof an allowed IP.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>Where temporary credentials come from (all buckets).</summary>
    public CredentialsServiceOptions Credentials { get; set; } = new();

    /// <summary>
    /// After SIGTERM, how long the replica goes on serving everything, new connections included, with
    /// <c>/readyz</c> answering 503, so that load balancers take it out before its listener closes
    /// (<see cref="GatewayLifetime"/>). 0: the listener closes at once.
    /// </summary>
    public TimeSpan ShutdownDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// After the listener has closed (<see cref="ShutdownDelay"/> after SIGTERM), how long downloads in
    /// flight may go on before they are aborted. Keep Kubernetes' <c>terminationGracePeriodSeconds</c>
    /// above the two together.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The <c>Gateway:Credentials</c> section: the services temporary credentials are fetched from.</summary>
internal sealed class CredentialsServiceOptions
{
    /// <summary>The ECS instance metadata service (<c>EcsRamRole</c>).</summary>
    public Uri EcsMetadataEndpoint { get; set; } = EcsRamRoleFetcher.DefaultEndpoint;

    /// <summary>STS (<c>RamRoleArn</c>, <c>OidcRoleArn</c>); when unset, from <see cref="StsRegion"/>, else STS's public endpoint.</summary>
    public Uri? StsEndpoint { get; set; }

    /// <summary>A region id (cn-hangzhou) selects STS's regional endpoint; default ALIBABA_CLOUD_STS_REGION.</summary>
    public string? StsRegion { get; set; }

    /// <summary>With <see cref="StsRegion"/>: the VPC endpoint (sts-vpc.&lt;region&gt;); default ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED.</summary>
    public bool? UseVpcEndpoint { get; set; }
}

/// <summary>The <c>Gateway:Downloads</c> section: how downloads are counted and redirected.</summary>
internal sealed class DownloadOptions
{
    /// <summary>
    /// Requests of one client (IP and User-Agent) within this time of its first request are one
    /// download session: its ranges and resumes count once, and it may finish after the link's limit is reached.
    /// </summary>
    public TimeSpan SessionWindow { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Lifetime of the presigned URL a redirect-mode link sends the client to.</summary>
    public TimeSpan RedirectLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long OSS may stay silent, before its response headers or between two reads of the body,
    /// before the download is given up: 504 when nothing was sent yet, an aborted transfer otherwise.
    /// An idle timeout, not a total one: a download may take hours (PITFALLS 8).
    /// </summary>
    public TimeSpan UpstreamActivityTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// What link-preview bots (<see cref="PreviewBotUserAgents"/>) get for links without a download limit:
    /// <c>serve</c> (the default) answers them like anyone else, so chat apps unfurl the file as usual;
    /// <c>page</c> gives them the preview page, so they never fetch the object. Download-limited links
    /// always give bots the page: a preview must never use up a limited link.
    /// </summary>
    public string PreviewBots { get; set; } = Downloads.PreviewBots.ServeMode;

    /// <summary>
    /// User-Agent substrings (matched case-insensitively) of link-preview fetchers. Unset means the built-in
    /// list (<see cref="Downloads.PreviewBots.DefaultUserAgents"/>); a configured list replaces it. Null rather
    /// than the list itself because the configuration binder appends to an array it finds filled.
    /// </summary>
    public string[]? PreviewBotUserAgents { get; set; }
}

/// <summary>The <c>Gateway:Links</c> section.</summary>
internal sealed class LinkOptions
{
    /// <summary>How long an expired link (and its counters) stays readable through the admin API before Redis drops it.</summary>
    public TimeSpan ExpiredRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a write a promise rests on (a revocation, a counted limited download, an admin change,
    /// a metering batch) waits for a replica of its Redis node to confirm it (WAIT), when the node has
    /// replicas. Without a confirmation in time the write is not promised (503; metering retries), so
    /// a failover cannot undo it. Zero switches the wait off: acknowledged writes may then be lost with
    /// a crashed primary.
    /// </summary>
    public TimeSpan ReplicaAckTimeout { get; set; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>One OSS bucket the gateway may serve from.</summary>
internal sealed class BucketOptions
{
    public Uri? Endpoint { get; set; }

    public string Bucket { get; set; } = "";

    public string Region { get; set; } = "";

    public OssAddressingStyle AddressingStyle { get; set; } = OssAddressingStyle.VirtualHosted;

    /// <summary>Shorthand for <c>Credentials:Type=AccessKey</c> (or <c>Sts</c> with <see cref="SecurityToken"/>).</summary>
    public string? AccessKeyId { get; set; }

    public string? AccessKeySecret { get; set; }

    public string? SecurityToken { get; set; }

    /// <summary>How requests to this bucket are authorized; unset means the default chain.</summary>
    public BucketCredentialsOptions Credentials { get; set; } = new();
}

/// <summary>
/// <c>Gateway:Buckets:&lt;alias&gt;:Credentials</c>: one of the credential types of Alibaba Cloud's
/// credentials SDKs, with their settings (see <c>Gateway.Buckets.CredentialsPlan</c>).
/// </summary>
internal sealed class BucketCredentialsOptions
{
    /// <summary>AccessKey, Sts, EcsRamRole, OidcRoleArn, RamRoleArn or CredentialsUri; unset: the default chain.</summary>
    public string? Type { get; set; }

    /// <summary>AccessKey, Sts, and the caller's key for RamRoleArn.</summary>
    public string? AccessKeyId { get; set; }

    public string? AccessKeySecret { get; set; }

    /// <summary>Sts (and RamRoleArn when the caller itself uses STS).</summary>
    public string? SecurityToken { get; set; }

    /// <summary>RamRoleArn and OidcRoleArn; default ALIBABA_CLOUD_ROLE_ARN.</summary>
    public string? RoleArn { get; set; }

    /// <summary>Default ALIBABA_CLOUD_ROLE_SESSION_NAME, else <c>gateway-</c> and a timestamp.</summary>
    public string? RoleSessionName { get; set; }

    /// <summary>Lifetime asked of STS, 900 to 43200 seconds; default 3600.</summary>
    public int? DurationSeconds { get; set; }

    /// <summary>An optional policy (JSON) that narrows what the assumed role may do.</summary>
    public string? Policy { get; set; }

    /// <summary>RamRoleArn: the external id the role's trust policy asks for.</summary>
    public string? ExternalId { get; set; }

    /// <summary>OidcRoleArn; default ALIBABA_CLOUD_OIDC_PROVIDER_ARN.</summary>
    public string? OidcProviderArn { get; set; }

    /// <summary>OidcRoleArn: the projected service-account token; default ALIBABA_CLOUD_OIDC_TOKEN_FILE.</summary>
    public string? OidcTokenFile { get; set; }

    /// <summary>EcsRamRole: the role name; default ALIBABA_CLOUD_ECS_METADATA, else discovered.</summary>
    public string? RoleName { get; set; }

    /// <summary>EcsRamRole: go on without an IMDSv2 token when the metadata service gives none (off by default).</summary>
    public bool AllowImdsV1 { get; set; }

    /// <summary>CredentialsUri: the URL; default ALIBABA_CLOUD_CREDENTIALS_URI.</summary>
    public Uri? Uri { get; set; }
}

internal sealed class AdminOptions
{
    public Dictionary<string, ApiKeyOptions> ApiKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// How many admin actions the audit log keeps; older ones are trimmed. Trimming is approximate
    /// (done every so many appends, like XADD's <c>MAXLEN ~</c>), so the log may briefly hold a few more.
    /// </summary>
    public int AuditMaxLength { get; set; } = 100_000;

    /// <summary>
    /// How many index or audit entries one list request may read before it answers with what it found
    /// and a cursor to continue: a selective filter must not make one request walk the whole store.
    /// </summary>
    public int MaxScanPerRequest { get; set; } = 2_000;
}

internal sealed class ApiKeyOptions
{
    /// <summary>Lower-case hex SHA-256 of the key; the key itself is never stored.</summary>
    public string Sha256 { get; set; } = "";

    public string[] Scopes { get; set; } = [];

    /// <summary>Bucket aliases the key may work in; empty means every bucket.</summary>
    public string[] Buckets { get; set; } = [];

    /// <summary>Object key prefixes the key may work under; empty means every key.</summary>
    public string[] KeyPrefixes { get; set; } = [];

    /// <summary>
    /// Longest lifetime (expiresAt minus now, at creation or change) of a link this key makes, and of
    /// a URL it presigns. Such a key cannot make links without an expiry.
    /// </summary>
    public TimeSpan? MaxLinkLifetime { get; set; }

    /// <summary>Largest maxDownloads this key may give a link. Such a key cannot make unlimited links.</summary>
    public long? MaxDownloads { get; set; }

    /// <summary>From this instant on the key is refused (401).</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
}

/// <summary>The <c>Gateway:Abuse</c> section: limits against guessing, scraping and runaway scripts.</summary>
internal sealed class AbuseOptions
{
    public DownloadAbuseOptions Downloads { get; set; } = new();

    public AdminRateLimitOptions Admin { get; set; } = new();
}

/// <summary>
/// <c>Gateway:Abuse:Downloads</c>: a client whose download requests keep ending in 404 or 410 is
/// guessing codes (or replaying dead links); after <see cref="Limit"/> such answers within
/// <see cref="Window"/> every download request of it gets 429 until the window ends.
/// </summary>
internal sealed class DownloadAbuseOptions
{
    /// <summary>404/410 answers allowed per client within the window; 0 switches the limit off.</summary>
    public int Limit { get; set; } = 30;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Clients tracked at once (about 100 bytes each). When full, clients not yet tracked are not
    /// limited: memory stays bounded however many addresses an attacker has.
    /// </summary>
    public int MaxTrackedClients { get; set; } = 100_000;

    /// <summary>
    /// How long a 404/410 answer waits for the store to count it (one small script, shared by every
    /// replica). Past this, the answer goes out and this replica's own count decides until the store
    /// answers in time again: a slow or dead store never holds up a miss for longer.
    /// </summary>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromMilliseconds(250);
}

/// <summary><c>Gateway:Abuse:Admin</c>: requests per API key (or per client IP before authentication) to the admin API.</summary>
internal sealed class AdminRateLimitOptions
{
    /// <summary>Requests allowed per key within the window; 0 switches the limit off.</summary>
    public int Limit { get; set; } = 600;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
