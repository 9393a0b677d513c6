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

    /// <summary>Optional; when both id and secret are empty the OSS_* environment variables are used.</summary>
    public string? AccessKeyId { get; set; }

    public string? AccessKeySecret { get; set; }

    public string? SecurityToken { get; set; }
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
}

/// <summary><c>Gateway:Abuse:Admin</c>: requests per API key (or per client IP before authentication) to the admin API.</summary>
internal sealed class AdminRateLimitOptions
{
    /// <summary>Requests allowed per key within the window; 0 switches the limit off.</summary>
    public int Limit { get; set; } = 600;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
