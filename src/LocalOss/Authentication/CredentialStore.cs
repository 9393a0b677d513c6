using System.Collections.Frozen;
using Gateway.Oss;
using Microsoft.Extensions.Options;

namespace LocalOss.Authentication;

/// <summary>The key pairs LocalOss accepts, looked up by access key id.</summary>
internal sealed class CredentialStore
{
    private readonly FrozenDictionary<string, OssCredentials> _byAccessKeyId;

    public CredentialStore(IOptions<LocalOssOptions> options)
    {
        var value = options.Value;
        var credentials = new Dictionary<string, OssCredentials>(StringComparer.Ordinal)
        {
            [value.AccessKeyId] = new(value.AccessKeyId, value.AccessKeySecret, value.SecurityToken),
        };
        foreach (var extra in value.AdditionalCredentials)
        {
            credentials[extra.AccessKeyId] = new(extra.AccessKeyId, extra.AccessKeySecret, extra.SecurityToken);
        }

        _byAccessKeyId = credentials.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public OssCredentials? Find(string accessKeyId) => _byAccessKeyId.GetValueOrDefault(accessKeyId);
}
