namespace LocalOss;

/// <summary>An extra key pair LocalOss accepts (<see cref="LocalOssOptions.AdditionalCredentials"/>).</summary>
public sealed class LocalOssCredential
{
    public string AccessKeyId { get; set; } = "";

    public string AccessKeySecret { get; set; } = "";

    /// <summary>When set, requests signed with this key must carry this STS token.</summary>
    public string? SecurityToken { get; set; }

    /// <summary>When set, the key is refused with <c>SecurityTokenExpired</c> from this instant on, like expired STS credentials.</summary>
    public DateTimeOffset? Expiration { get; set; }
}
