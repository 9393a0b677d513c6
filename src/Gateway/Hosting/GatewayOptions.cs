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
}

internal sealed class ApiKeyOptions
{
    /// <summary>Lower-case hex SHA-256 of the key; the key itself is never stored.</summary>
    public string Sha256 { get; set; } = "";

    public string[] Scopes { get; set; } = [];
}
