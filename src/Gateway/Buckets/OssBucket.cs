using Gateway.Oss;

namespace Gateway.Buckets;

/// <summary>A configured bucket: where it lives, its credentials and how requests to it are signed.</summary>
internal sealed class OssBucket(string alias, OssEndpoint endpoint, OssV4Signer signer, IOssCredentialsProvider credentials, CredentialsType credentialsType)
{
    public string Alias { get; } = alias;

    public OssEndpoint Endpoint { get; } = endpoint;

    public OssV4Signer Signer { get; } = signer;

    /// <summary>The provider the signer uses; asked to renew when OSS refuses what it gave.</summary>
    public IOssCredentialsProvider Credentials { get; } = credentials;

    public CredentialsType CredentialsType { get; } = credentialsType;
}
