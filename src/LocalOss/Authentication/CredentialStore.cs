using System.Collections.Frozen;
using Gateway.Oss;
using Microsoft.Extensions.Options;

namespace LocalOss.Authentication;

/// <summary>The configured key pairs LocalOss accepts, looked up by access key id.</summary>
internal sealed class CredentialStore
{
    private readonly FrozenDictionary<string, StoredCredential> _byAccessKeyId;

    public CredentialStore(IOptions<LocalOssOptions> options)
    {
        var value = options.Value;
        var credentials = new Dictionary<string, StoredCredential>(StringComparer.Ordinal)
        {
            [value.AccessKeyId] = new(new(value.AccessKeyId, value.AccessKeySecret, value.SecurityToken), null),
        };
        foreach (var extra in value.AdditionalCredentials)
        {
            credentials[extra.AccessKeyId] = new(new(extra.AccessKeyId, extra.AccessKeySecret, extra.SecurityToken), extra.Expiration);
            HasExpiringCredentials |= extra.Expiration is not null;
        }

        _byAccessKeyId = credentials.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>True when some key pair stops working at a set time, so lookups depend on the request's time.</summary>
    public bool HasExpiringCredentials { get; }

    public StoredCredential? Find(string accessKeyId) => _byAccessKeyId.GetValueOrDefault(accessKeyId);
}

/// <summary>A configured key pair and, for stand-ins of temporary credentials, when it expires.</summary>
internal sealed record StoredCredential(OssCredentials Credentials, DateTimeOffset? Expiration);
