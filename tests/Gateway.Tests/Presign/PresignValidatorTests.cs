using Gateway.Buckets;
using Gateway.Hosting;
using Gateway.Oss;
using Gateway.Presign;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Presign;

public sealed class PresignValidatorTests
{
    private static readonly BucketRegistry Buckets = new(
        Options.Create(new GatewayOptions
        {
            Buckets =
            {
                ["media"] = new BucketOptions
                {
                    Endpoint = new Uri("https://oss-cn-hangzhou.aliyuncs.com"),
                    Bucket = "my-bucket",
                    Region = "cn-hangzhou",
                    AccessKeyId = "LTAI5tUNITTEST",
                    AccessKeySecret = "secret",
                },
            },
        }),
        TimeProvider.System,
        new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());

    [Fact]
    public void A_full_request_becomes_presigner_options()
    {
        var errors = new Dictionary<string, string[]>();

        var plan = PresignValidator.Validate(
            new PresignRequest
            {
                Bucket = "media",
                Key = "a/b.bin",
                Expires = 600,
                VersionId = "v1",
                TrafficLimit = 819200,
                SourceIp = "203.0.113.7",
                SubnetMask = 24,
                VpcId = "vpc-bp1example",
                ForwardAllow = true,
                ResponseContentDisposition = "attachment",
                Headers = new() { ["Content-Type"] = "text/plain", ["x-oss-meta-a"] = "1", ["Cache-Control"] = "no-cache" },
            },
            Buckets,
            errors);

        Assert.Empty(errors);
        Assert.NotNull(plan);
        Assert.Equal("GET", plan.Options.Method);
        Assert.Equal(TimeSpan.FromSeconds(600), plan.Options.Expires);
        Assert.Equal(
            ["response-content-disposition", "versionId", "x-oss-ac-forward-allow", "x-oss-ac-source-ip", "x-oss-ac-subnet-mask", "x-oss-ac-vpc-id", "x-oss-traffic-limit"],
            plan.Options.Query.Select(q => q.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["Cache-Control"], plan.Options.AdditionalHeaders);
        Assert.Equal(3, plan.Options.Headers.Count);
    }

    [Fact]
    public void Defaults_are_GET_for_900_seconds()
    {
        var plan = PresignValidator.Validate(new PresignRequest { Bucket = "media", Key = "k" }, Buckets, []);

        Assert.NotNull(plan);
        Assert.Equal("GET", plan.Options.Method);
        Assert.Equal(TimeSpan.FromSeconds(900), plan.Options.Expires);
        Assert.Empty(plan.Options.Query);
    }

    [Fact]
    public void The_signed_url_carries_what_was_asked_for_and_names_its_headers()
    {
        var plan = PresignValidator.Validate(
            new PresignRequest { Bucket = "media", Key = "up.bin", Method = "PUT", Expires = 60, Headers = new() { ["Content-Type"] = "application/zip" } },
            Buckets,
            [])!;

        var presigned = plan.Bucket.Signer.Presign(plan.Options);

        Assert.Equal("PUT", presigned.Method);
        Assert.StartsWith("https://my-bucket.oss-cn-hangzhou.aliyuncs.com/up.bin?", presigned.Url.OriginalString, StringComparison.Ordinal);
        Assert.Contains("x-oss-expires=60", presigned.Url.OriginalString, StringComparison.Ordinal);
        Assert.Equal([new KeyValuePair<string, string>("Content-Type", "application/zip")], presigned.SignedHeaders);
    }

    [Theory]
    [InlineData("DELETE", "responseContentType")]
    [InlineData("HEAD", "trafficLimit")]
    [InlineData("PUT", "versionId")]
    public void Parameters_that_do_not_apply_to_the_method_are_refused(string method, string field)
    {
        var errors = new Dictionary<string, string[]>();

        var plan = PresignValidator.Validate(
            new PresignRequest
            {
                Bucket = "media",
                Key = "k",
                Method = method,
                ResponseContentType = field == "responseContentType" ? "text/plain" : null,
                TrafficLimit = field == "trafficLimit" ? 819200 : null,
                VersionId = field == "versionId" ? "v" : null,
            },
            Buckets,
            errors);

        Assert.Null(plan);
        Assert.Equal([field], errors.Keys);
    }

    [Fact]
    public void The_longest_lifetime_is_osss_seven_days() =>
        Assert.Equal(OssPresignOptions.MaxExpires, PresignValidator.Validate(new PresignRequest { Bucket = "media", Key = "k", Expires = 604800 }, Buckets, [])!.Options.Expires);
}
