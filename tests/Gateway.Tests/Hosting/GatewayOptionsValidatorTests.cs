using Gateway.Hosting;
using Gateway.Oss;

namespace Gateway.Tests.Hosting;

public sealed class GatewayOptionsValidatorTests
{
    private static GatewayOptions WithBucket(Action<BucketOptions> change)
    {
        var bucket = new BucketOptions
        {
            Endpoint = new Uri("https://oss-cn-hangzhou.aliyuncs.com"),
            Bucket = "my-bucket",
            Region = "cn-hangzhou",
            AddressingStyle = OssAddressingStyle.VirtualHosted,
            AccessKeyId = "id",
            AccessKeySecret = "secret",
        };
        change(bucket);
        return new GatewayOptions { Buckets = { ["media"] = bucket } };
    }

    [Fact]
    public void A_complete_bucket_is_valid() =>
        Assert.True(new GatewayOptionsValidator().Validate(null, WithBucket(_ => { })).Succeeded);

    [Theory]
    [InlineData("sometimes", null, "Gateway:Downloads:PreviewBots")]
    [InlineData("page", "", "Gateway:Downloads:PreviewBotUserAgents:0")]
    [InlineData("serve", " ", "Gateway:Downloads:PreviewBotUserAgents:0")]
    public void Preview_bot_settings_are_checked_and_named_by_their_key(string mode, string? agent, string key)
    {
        var options = new GatewayOptions { Downloads = { PreviewBots = mode, PreviewBotUserAgents = agent is null ? null : [agent] } };

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    /// <summary>The patterns ended in $, which also matches before a final newline (see LinkCodeProperties).</summary>
    [Fact]
    public void A_bucket_name_with_a_trailing_newline_is_refused()
    {
        var result = new GatewayOptionsValidator().Validate(null, WithBucket(bucket => bucket.Bucket = "my-bucket\n"));

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Buckets:media:Bucket", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Endpoint")]
    [InlineData("Bucket")]
    [InlineData("Region")]
    [InlineData("AccessKeySecret")]
    public void Each_bad_bucket_setting_is_named_by_its_key(string setting)
    {
        var options = WithBucket(bucket =>
        {
            switch (setting)
            {
                case "Endpoint": bucket.Endpoint = new Uri("ftp://example.com"); break;
                case "Bucket": bucket.Bucket = "Not_A_Bucket"; break;
                case "Region": bucket.Region = "oss-cn-hangzhou"; break;
                case "AccessKeySecret": bucket.AccessKeySecret = null; break;
            }
        });

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"Gateway:Buckets:media", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains(setting == "AccessKeySecret" ? "AccessKeySecret" : setting, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Api_keys_need_a_sha256_and_known_scopes()
    {
        var options = new GatewayOptions();
        options.Admin.ApiKeys["ops"] = new ApiKeyOptions { Sha256 = "ABC", Scopes = ["links:read", "links:admin"] };

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.Contains("Gateway:Admin:ApiKeys:ops:Sha256", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("links:admin", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-00:00:00.001", false)]
    [InlineData("00:00:00", true)]
    [InlineData("00:00:00.500", true)]
    [InlineData("00:00:01", true)]
    [InlineData("00:00:01.001", false)]
    public void The_replica_ack_timeout_is_between_zero_and_one_second(string timeout, bool valid)
    {
        var options = WithBucket(_ => { });
        options.Links.ReplicaAckTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture);

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Gateway:Links:ReplicaAckTimeout", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("-00:00:01", false)]
    [InlineData("00:00:00", true)]
    [InlineData("00:00:05", true)]
    [InlineData("00:10:00", true)]
    [InlineData("00:10:01", false)]
    public void The_shutdown_delay_is_between_zero_and_ten_minutes(string delay, bool valid)
    {
        var options = WithBucket(_ => { });
        options.ShutdownDelay = TimeSpan.Parse(delay, System.Globalization.CultureInfo.InvariantCulture);

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Gateway:ShutdownDelay", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("-00:00:01", false)]
    [InlineData("00:00:00", true)]
    [InlineData("00:00:30", true)]
    [InlineData("1.00:00:00", true)]
    [InlineData("1.00:00:01", false)]
    public void The_shutdown_timeout_is_between_zero_and_a_day(string timeout, bool valid)
    {
        var options = WithBucket(_ => { });
        options.ShutdownTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture);

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Gateway:ShutdownTimeout", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("00:00:00.999", false)]
    [InlineData("00:00:01", true)]
    [InlineData("00:01:40", true)]
    [InlineData("01:00:00", true)]
    [InlineData("01:00:01", false)]
    public void The_upstream_activity_timeout_is_between_a_second_and_an_hour(string timeout, bool valid)
    {
        var options = WithBucket(_ => { });
        options.Downloads.UpstreamActivityTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture);

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Gateway:Downloads:UpstreamActivityTimeout", result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
