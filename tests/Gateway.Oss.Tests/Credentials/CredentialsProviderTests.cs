namespace Gateway.Oss.Tests.Credentials;

public sealed class CredentialsProviderTests
{
    [Fact]
    public void Environment_provider_reads_the_three_variables()
    {
        var environment = new Dictionary<string, string?>
        {
            ["OSS_ACCESS_KEY_ID"] = "LTAI5tENV",
            ["OSS_ACCESS_KEY_SECRET"] = "env-secret",
            ["OSS_SESSION_TOKEN"] = "env-token",
        };

        var credentials = new EnvironmentCredentialsProvider(name => environment.GetValueOrDefault(name)).GetCredentials();

        Assert.Equal(new OssCredentials("LTAI5tENV", "env-secret", "env-token"), credentials);
    }

    [Fact]
    public void Environment_provider_treats_a_missing_token_as_permanent_credentials()
    {
        var environment = new Dictionary<string, string?> { ["OSS_ACCESS_KEY_ID"] = "LTAI5tENV", ["OSS_ACCESS_KEY_SECRET"] = "env-secret", ["OSS_SESSION_TOKEN"] = " " };

        Assert.Null(new EnvironmentCredentialsProvider(name => environment.GetValueOrDefault(name)).GetCredentials().SecurityToken);
    }

    [Theory]
    [InlineData("OSS_ACCESS_KEY_ID")]
    [InlineData("OSS_ACCESS_KEY_SECRET")]
    public void Environment_provider_names_the_missing_variable_and_never_the_secret(string missing)
    {
        var environment = new Dictionary<string, string?> { ["OSS_ACCESS_KEY_ID"] = "LTAI5tENV", ["OSS_ACCESS_KEY_SECRET"] = "env-secret" };
        environment[missing] = "";

        var exception = Assert.Throws<InvalidOperationException>(() => new EnvironmentCredentialsProvider(name => environment.GetValueOrDefault(name)));

        Assert.Contains(missing, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("env-secret", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Static_provider_returns_what_it_was_given()
    {
        var credentials = new OssCredentials("ak", "sk");

        Assert.Same(credentials, new StaticCredentialsProvider(credentials).GetCredentials());
    }

    [Theory]
    [InlineData("", "sk")]
    [InlineData("ak/1", "sk")]
    [InlineData("ak:1", "sk")]
    [InlineData("ak", "")]
    public void Credentials_that_cannot_produce_a_verifiable_signature_are_refused(string accessKeyId, string secret) =>
        Assert.Throws<ArgumentException>(() => new OssCredentials(accessKeyId, secret));
}
