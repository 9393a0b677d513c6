namespace LocalOss.Sts;

/// <summary>What <see cref="LocalEcsMetadataServer"/> answers. C# only: the stand-in reads no configuration.</summary>
public sealed class LocalEcsMetadataOptions
{
    /// <summary>The RAM role attached to the instance; null stands for an instance without one (the role list is then 404).</summary>
    public string? RoleName { get; set; } = "LocalEcsRamRole";

    /// <summary>IMDSv2 enforced (the default): every GET needs a valid <c>X-aliyun-ecs-metadata-token</c>, else 401.</summary>
    public bool RequireToken { get; set; } = true;

    /// <summary>How long the role credentials live (ECS hands out six-hour credentials), unless the server's override is set.</summary>
    public TimeSpan CredentialLifetime { get; set; } = TimeSpan.FromHours(6);
}
