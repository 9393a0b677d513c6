namespace LocalOss.Sts;

/// <summary>What <see cref="LocalStsServer"/> accepts. C# only: the stand-in reads no configuration.</summary>
public sealed class LocalStsServerOptions
{
    /// <summary>Key pairs allowed to call AssumeRole. Credentials minted by the server's issuer are accepted as well (role chaining).</summary>
    public IList<LocalStsCaller> Callers { get; } = [];

    /// <summary>Role ARNs that may be assumed; empty allows any well-formed <c>acs:ram::&lt;account&gt;:role/&lt;name&gt;</c>.</summary>
    public IList<string> AllowedRoleArns { get; } = [];

    /// <summary>The roles' MaxSessionDuration in seconds (3600 to 43200, as RAM allows): DurationSeconds may be 900 to this.</summary>
    public int MaxSessionDuration { get; set; } = 3600;

    /// <summary>OIDC provider ARNs AssumeRoleWithOIDC accepts.</summary>
    public IList<string> OidcProviderArns { get; } = [];

    /// <summary>The OIDC tokens accepted at start; <see cref="LocalStsServer.SetAcceptedOidcTokens"/> replaces them at run time.</summary>
    public IList<string> OidcTokens { get; } = [];

    /// <summary>How long the credentials <c>GET /credentials</c> hands out live (unless the server's override is set).</summary>
    public TimeSpan CredentialsUriLifetime { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>A key pair allowed to call AssumeRole (<see cref="LocalStsServerOptions.Callers"/>).</summary>
public sealed class LocalStsCaller
{
    public string AccessKeyId { get; set; } = "";

    public string AccessKeySecret { get; set; } = "";

    /// <summary>When set, calls signed with this key must carry this token in the <c>SecurityToken</c> parameter.</summary>
    public string? SecurityToken { get; set; }
}
