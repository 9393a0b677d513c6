using Gateway.Oss;

namespace Gateway.Buckets;

/// <summary>A configured bucket: where it lives and how requests to it are signed.</summary>
internal sealed class OssBucket(string alias, OssEndpoint endpoint, OssV4Signer signer)
{
    public string Alias { get; } = alias;

    public OssEndpoint Endpoint { get; } = endpoint;

    public OssV4Signer Signer { get; } = signer;
}
