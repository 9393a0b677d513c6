namespace LocalOss;

/// <summary>
/// Settings of a LocalOss server: configuration section <c>LocalOss</c> when run standalone, or the
/// object handed to <see cref="LocalOssHost.StartAsync(LocalOssOptions, string, System.Threading.CancellationToken)"/>.
/// The defaults make a working development server; LocalOss never reads appsettings files, because the
/// gateway references this project and their content files would collide with its own.
/// </summary>
public sealed class LocalOssOptions
{
    /// <summary>The configuration section the standalone server binds.</summary>
    public const string SectionName = "LocalOss";

    /// <summary>Directory that holds one sub-directory per bucket. Relative paths are resolved against the current directory.</summary>
    public string Root { get; set; } = "./data/oss";

    /// <summary>The access key id clients sign with.</summary>
    public string AccessKeyId { get; set; } = "LocalOssDevAccessKeyId";

    /// <summary>The secret paired with <see cref="AccessKeyId"/>. Fine for a loopback development server, never for anything exposed.</summary>
    public string AccessKeySecret { get; set; } = "LocalOssDevAccessKeySecret-not-for-production";

    /// <summary>When set, requests signed with <see cref="AccessKeyId"/> must carry this STS token.</summary>
    public string? SecurityToken { get; set; }

    /// <summary>The region requests must be signed for (bare id, e.g. <c>cn-hangzhou</c>, not <c>oss-cn-hangzhou</c>).</summary>
    public string Region { get; set; } = "cn-hangzhou";

    /// <summary>More accepted key pairs, e.g. <c>--LocalOss:AdditionalCredentials:0:AccessKeyId=...</c>.</summary>
    public IList<LocalOssCredential> AdditionalCredentials { get; } = [];

    /// <summary>
    /// Domains under which <c>bucket.domain</c> hosts are read as virtual-hosted requests, in addition to the
    /// built-in <c>localhost</c> and OSS's own <c>bucket.oss-region.aliyuncs.com</c> (see <c>Addressing/HostAddressing.cs</c>).
    /// </summary>
    public IList<string> VirtualHostDomains { get; } = [];
}
