using Gateway.Oss;
using LocalOss.Sts;
using OssError = LocalOss.Errors.OssError;

namespace LocalOss.Authentication;

/// <summary>
/// The credential lookup for one request when some credentials are temporary: configured key pairs with an
/// <see cref="LocalOssCredential.Expiration"/>, or STS credentials from a <see cref="LocalStsIssuer"/>, whose secret
/// only the request's security token reveals. The verifier asks by access key id alone, so the token the request
/// presents is bound here, and a refusal that OSS reports with its own code is kept for the caller to return.
/// </summary>
internal sealed class TemporaryCredentialLookup(CredentialStore store, LocalStsIssuer? issuer, string? presentedToken, DateTimeOffset now)
{
    /// <summary>Why the last lookup found nothing, when OSS would say more than InvalidAccessKeyId.</summary>
    public OssError? Refusal { get; private set; }

    public OssCredentials? Find(string accessKeyId)
    {
        if (store.Find(accessKeyId) is { } stored)
        {
            if (stored.Expiration is { } expiration && now >= expiration)
            {
                Refusal = OssError.SecurityTokenExpired(accessKeyId);
                return null;
            }

            return stored.Credentials;
        }

        // Without a token the key is simply unknown: OSS answers InvalidAccessKeyId.
        if (issuer is null || presentedToken is null || !LocalStsIssuer.IsTemporaryAccessKeyId(accessKeyId))
        {
            return null;
        }

        var validation = issuer.Validate(accessKeyId, presentedToken, now);
        switch (validation.Status)
        {
            case StsTokenStatus.Valid:
                return new OssCredentials(accessKeyId, validation.AccessKeySecret!, presentedToken);
            case StsTokenStatus.Expired:
                Refusal = OssError.SecurityTokenExpired(accessKeyId);
                return null;
            default:
                Refusal = OssError.InvalidSecurityToken(accessKeyId);
                return null;
        }
    }
}
