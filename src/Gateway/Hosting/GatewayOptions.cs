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
