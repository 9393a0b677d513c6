namespace LocalOss.Sts;

/// <summary>What <see cref="LocalStsIssuer.Validate"/> concluded about an access key id and its security token.</summary>
public enum StsTokenStatus
{
    /// <summary>Issued by this issuer for this access key id, not invalidated, not expired.</summary>
    Valid,

    /// <summary>Genuine, but its expiration has passed.</summary>
    Expired,

    /// <summary>Not issued by this issuer, issued for another access key id, damaged, or invalidated since.</summary>
    Invalid,
}

/// <summary>The outcome of validating a security token; <see cref="AccessKeySecret"/> is set only when it is valid.</summary>
public readonly record struct StsTokenValidation(StsTokenStatus Status, string? AccessKeySecret)
{
    public override string ToString() => $"StsTokenValidation {{ Status = {Status} }}";
}
