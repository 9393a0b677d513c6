using Gateway.Buckets;
using Gateway.Hosting;

namespace Gateway.Tests.Buckets;

public sealed class CredentialsPlanTests
{
    private static (CredentialsPlan? Plan, List<string> Failures) Resolve(BucketOptions bucket, Dictionary<string, string>? environment = null)
    {
        var failures = new List<string>();
        var plan = CredentialsPlan.Resolve("media", bucket, name => environment?.GetValueOrDefault(name), failures);
        return (plan, failures);
    }

    private static BucketOptions Bucket(Action<BucketCredentialsOptions>? credentials = null)
    {
        var bucket = new BucketOptions();
        credentials?.Invoke(bucket.Credentials);
        return bucket;
    }

    [Fact]
    public void The_bucket_level_key_pair_is_an_AccessKey()
    {
        var (plan, failures) = Resolve(new BucketOptions { AccessKeyId = "LTAI5tKEY", AccessKeySecret = "secret" });

        Assert.Empty(failures);
        Assert.Equal(CredentialsType.AccessKey, plan!.Type);
        Assert.Equal("LTAI5tKEY", plan.Static!.AccessKeyId);
    }

    [Fact]
    public void A_key_pair_with_a_token_is_Sts()
    {
        var (plan, _) = Resolve(Bucket(c => (c.AccessKeyId, c.AccessKeySecret, c.SecurityToken) = ("STS.id", "secret", "token")));

        Assert.Equal(CredentialsType.Sts, plan!.Type);
        Assert.Equal("token", plan.Static!.SecurityToken);
    }

    [Theory]
    [InlineData("OSS_ACCESS_KEY_ID", "OSS_ACCESS_KEY_SECRET", "OSS_SESSION_TOKEN")]
    [InlineData("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN")]
    public void The_default_chain_starts_with_key_pairs_in_the_environment(string id, string secret, string token)
    {
        var (plain, _) = Resolve(Bucket(), new() { [id] = "LTAI5tENV", [secret] = "env-secret" });
        var (withToken, _) = Resolve(Bucket(), new() { [id] = "STS.env", [secret] = "env-secret", [token] = "env-token" });

        Assert.Equal(CredentialsType.AccessKey, plain!.Type);
        Assert.Equal(CredentialsType.Sts, withToken!.Type);
        Assert.Equal("env-token", withToken.Static!.SecurityToken);
    }

    [Fact]
    public void The_default_chain_takes_RRSA_from_the_variables_ACK_injects()
    {
        var (plan, failures) = Resolve(Bucket(), new()
        {
            ["ALIBABA_CLOUD_ROLE_ARN"] = "acs:ram::1:role/gateway",
            ["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"] = "acs:ram::1:oidc-provider/ack-rrsa",
            ["ALIBABA_CLOUD_OIDC_TOKEN_FILE"] = "/var/run/secrets/ack.alibabacloud.com/rrsa-tokens/token",
        });

        Assert.Empty(failures);
        Assert.Equal(CredentialsType.OidcRoleArn, plan!.Type);
        Assert.Equal("acs:ram::1:role/gateway", plan.Role!.RoleArn);
        Assert.Equal(TimeSpan.FromHours(1), plan.Role.Duration);
        Assert.Equal("/var/run/secrets/ack.alibabacloud.com/rrsa-tokens/token", plan.OidcTokenFile);
    }

    [Fact]
    public void The_default_chain_takes_a_credentials_URI_before_the_ECS_role()
    {
        var (plan, _) = Resolve(Bucket(), new() { ["ALIBABA_CLOUD_CREDENTIALS_URI"] = "http://127.0.0.1:9000/credentials" });

        Assert.Equal(CredentialsType.CredentialsUri, plan!.Type);
    }

    [Fact]
    public void The_default_chain_ends_with_the_ECS_instance_role()
    {
        var (plan, _) = Resolve(Bucket(), new() { ["ALIBABA_CLOUD_ECS_METADATA"] = "gateway-role" });

        Assert.Equal(CredentialsType.EcsRamRole, plan!.Type);
        Assert.Equal("gateway-role", plan.RoleName);
    }

    [Fact]
    public void With_the_ECS_role_disabled_and_nothing_else_there_are_no_credentials()
    {
        var (plan, failures) = Resolve(Bucket(), new() { ["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true" });

        Assert.Null(plan);
        Assert.Contains(failures, f => f.Contains("no credentials", StringComparison.Ordinal) && f.Contains("OSS_ACCESS_KEY_ID", StringComparison.Ordinal));
    }

    [Fact]
    public void RamRoleArn_needs_the_role_and_the_caller_key()
    {
        var (plan, failures) = Resolve(Bucket(c => c.Type = "RamRoleArn"));

        Assert.Null(plan);
        Assert.Contains(failures, f => f.StartsWith("Gateway:Buckets:media:Credentials:RoleArn", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("AccessKeyId and AccessKeySecret", StringComparison.Ordinal));
    }

    [Fact]
    public void RamRoleArn_takes_every_setting()
    {
        var (plan, failures) = Resolve(Bucket(c =>
        {
            c.Type = "ramrolearn";
            c.AccessKeyId = "LTAI5tCALLER";
            c.AccessKeySecret = "caller-secret";
            c.RoleArn = "acs:ram::1:role/gateway";
            c.RoleSessionName = "gw-1";
            c.DurationSeconds = 900;
            c.Policy = "{\"Version\":\"1\"}";
            c.ExternalId = "abc";
        }));

        Assert.Empty(failures);
        Assert.Equal(CredentialsType.RamRoleArn, plan!.Type);
        Assert.Equal(new Oss.StsRoleRequest("acs:ram::1:role/gateway", "gw-1", TimeSpan.FromSeconds(900), "{\"Version\":\"1\"}"), plan.Role);
        Assert.Equal("abc", plan.ExternalId);
        Assert.Equal("LTAI5tCALLER", plan.Static!.AccessKeyId);
    }

    [Theory]
    [InlineData(899)]
    [InlineData(43201)]
    public void A_duration_STS_refuses_is_refused_at_start(int seconds)
    {
        var (_, failures) = Resolve(Bucket(c => (c.Type, c.RoleArn, c.OidcProviderArn, c.OidcTokenFile, c.DurationSeconds) = ("OidcRoleArn", "acs:ram::1:role/r", "acs:ram::1:oidc-provider/p", "/token", seconds)));

        Assert.Contains(failures, f => f.StartsWith("Gateway:Buckets:media:Credentials:DurationSeconds must be between 900 and 43200", StringComparison.Ordinal));
    }

    [Fact]
    public void Sts_without_a_token_is_refused()
    {
        var (_, failures) = Resolve(Bucket(c => (c.Type, c.AccessKeyId, c.AccessKeySecret) = ("Sts", "STS.id", "secret")));

        Assert.Contains(failures, f => f.Contains("SecurityToken is required for Type Sts", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Vault")]
    [InlineData("3")]
    public void An_unknown_type_lists_the_known_ones(string type)
    {
        var (_, failures) = Resolve(Bucket(c => c.Type = type));

        Assert.Contains(failures, f => f.Contains("AccessKey, Sts, EcsRamRole, OidcRoleArn, RamRoleArn, CredentialsUri", StringComparison.Ordinal));
    }

    [Fact]
    public void A_credentials_URI_that_is_not_http_is_refused_without_echoing_it()
    {
        var (_, failures) = Resolve(Bucket(c => (c.Type, c.Uri) = ("CredentialsUri", new Uri("file:///etc/secret-token-123"))));

        var failure = Assert.Single(failures);
        Assert.DoesNotContain("secret-token-123", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_pair_in_both_places_is_ambiguous()
    {
        var bucket = Bucket(c => (c.AccessKeyId, c.AccessKeySecret) = ("LTAI5tA", "a"));
        bucket.AccessKeyId = "LTAI5tB";
        bucket.AccessKeySecret = "b";

        Assert.Contains(Resolve(bucket).Failures, f => f.Contains("not both", StringComparison.Ordinal));
    }
}
