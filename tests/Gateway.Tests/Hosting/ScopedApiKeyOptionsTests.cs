using Gateway.Hosting;

namespace Gateway.Tests.Hosting;

public sealed class ScopedApiKeyOptionsTests
{
    private static GatewayOptions WithKey(Action<ApiKeyOptions> change)
    {
        var options = new GatewayOptions
        {
            Buckets =
            {
                ["media"] = new BucketOptions
                {
                    Endpoint = new Uri("https://oss-cn-hangzhou.aliyuncs.com"),
                    Bucket = "my-bucket",
                    Region = "cn-hangzhou",
                    AccessKeyId = "id",
                    AccessKeySecret = "secret",
                },
            },
        };
        var key = new ApiKeyOptions { Sha256 = new string('a', 64), Scopes = ["links:read"] };
        change(key);
        options.Admin.ApiKeys["team"] = key;
        return options;
    }

    [Fact]
    public void A_fully_scoped_key_is_valid()
    {
        var options = WithKey(key =>
        {
            key.Buckets = ["media"];
            key.KeyPrefixes = ["team/"];
            key.MaxLinkLifetime = TimeSpan.FromDays(7);
            key.MaxDownloads = 100;
            key.ExpiresAt = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        });

        Assert.True(new GatewayOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("Buckets:0")]
    [InlineData("KeyPrefixes:0")]
    [InlineData("MaxLinkLifetime")]
    [InlineData("MaxDownloads")]
    public void Each_bad_scope_setting_is_named_by_its_key(string setting)
    {
        var options = WithKey(key =>
        {
            switch (setting)
            {
                case "Buckets:0": key.Buckets = ["medai"]; break;
                case "KeyPrefixes:0": key.KeyPrefixes = ["/team"]; break;
                case "MaxLinkLifetime": key.MaxLinkLifetime = TimeSpan.Zero; break;
                case "MaxDownloads": key.MaxDownloads = 0; break;
            }
        });

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"Gateway:Admin:ApiKeys:team:{setting}", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Gateway:Abuse:Downloads:Limit")]
    [InlineData("Gateway:Abuse:Downloads:Window")]
    [InlineData("Gateway:Abuse:Downloads:MaxTrackedClients")]
    [InlineData("Gateway:Abuse:Downloads:StoreTimeout")]
    [InlineData("Gateway:Abuse:Admin:Limit")]
    [InlineData("Gateway:Abuse:Admin:Window")]
    [InlineData("Gateway:Admin:AuditMaxLength")]
    [InlineData("Gateway:Admin:MaxScanPerRequest")]
    public void Bad_abuse_and_admin_settings_are_named_by_their_key(string setting)
    {
        var options = WithKey(_ => { });
        switch (setting)
        {
            case "Gateway:Abuse:Downloads:Limit": options.Abuse.Downloads.Limit = -1; break;
            case "Gateway:Abuse:Downloads:Window": options.Abuse.Downloads.Window = TimeSpan.Zero; break;
            case "Gateway:Abuse:Downloads:MaxTrackedClients": options.Abuse.Downloads.MaxTrackedClients = 0; break;
            case "Gateway:Abuse:Downloads:StoreTimeout": options.Abuse.Downloads.StoreTimeout = TimeSpan.FromSeconds(3); break;
            case "Gateway:Abuse:Admin:Limit": options.Abuse.Admin.Limit = -1; break;
            case "Gateway:Abuse:Admin:Window": options.Abuse.Admin.Window = TimeSpan.FromDays(2); break;
            case "Gateway:Admin:AuditMaxLength": options.Admin.AuditMaxLength = 1; break;
            case "Gateway:Admin:MaxScanPerRequest": options.Admin.MaxScanPerRequest = 1; break;
        }

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_are_valid()
    {
        var options = new GatewayOptions();

        Assert.True(new GatewayOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(30, options.Abuse.Downloads.Limit);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Abuse.Downloads.Window);
        Assert.Equal(600, options.Abuse.Admin.Limit);
    }
}
