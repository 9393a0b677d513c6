using System.Net;
using Gateway.Oss;
using LocalOss.Tests.Infrastructure;

namespace LocalOss.Tests;

/// <summary>Path-style and virtual-hosted requests, including what ali-oss sends to an IP endpoint (PITFALLS 25).</summary>
public sealed class AddressingTests : LocalOssTest
{
    private const string Key = "addressing/file.txt";

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Server.PutOkAsync(Key, "addressed"u8.ToArray());
    }

    [Theory]
    [InlineData("test-bucket.oss-cn-hangzhou.aliyuncs.com")]
    [InlineData("test-bucket.oss-cn-hangzhou-internal.aliyuncs.com")]
    [InlineData("test-bucket.localhost")]
    [InlineData("test-bucket.any.host.example")]
    public async Task Bucket_in_the_host_header_with_the_key_as_the_whole_path_is_virtual_hosted(string host)
    {
        using var response = await SendVirtualHostedAsync(host, Key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("addressed", await response.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task Ali_oss_sld_form_with_bucket_in_both_host_and_path_is_understood()
    {
        var request = Server.Request(HttpMethod.Get, Key);
        request.Headers.Host = "test-bucket.oss-cn-hangzhou.aliyuncs.com";
        Server.V4().SignRequest(request, Key);

        using var response = await Server.Http.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("addressed", await response.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task Virtual_hosted_key_that_starts_with_the_bucket_name_is_not_mistaken_for_path_style()
    {
        var key = "test-bucket/" + Key;
        await Server.PutOkAsync(key, "prefixed"u8.ToArray());

        using var response = await SendVirtualHostedAsync("test-bucket.oss-cn-hangzhou.aliyuncs.com", key);

        Assert.Equal("prefixed", await response.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task Unknown_bucket_under_an_oss_domain_is_NoSuchBucket()
    {
        using var response = await SendVirtualHostedAsync("missing-bucket.oss-cn-hangzhou.aliyuncs.com", Key, bucket: "missing-bucket");

        await OssErrorXml.ReadAsync(response, HttpStatusCode.NotFound, "NoSuchBucket");
    }

    [Fact]
    public async Task Dotted_host_whose_first_label_is_not_a_bucket_stays_path_style()
    {
        var request = Server.Request(HttpMethod.Get, Key);
        request.Headers.Host = "localoss.svc.cluster.local";
        Server.V4().SignRequest(request, Key);

        using var response = await Server.Http.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Configured_virtual_host_domain_makes_unknown_buckets_virtual_hosted()
    {
        await using var server = await TestServer.StartAsync(o => o.VirtualHostDomains.Add("oss.test"));

        var endpoint = new OssEndpoint(server.Origin, "missing-bucket", TestServer.Region, OssAddressingStyle.Cname);
        var request = new HttpRequestMessage(HttpMethod.Get, endpoint.BuildObjectUri(Key));
        request.Headers.Host = "missing-bucket.oss.test";
        new OssV4Signer(endpoint, new StaticCredentialsProvider(TestServer.Credentials), TimeProvider.System).SignRequest(request, Key);

        using var response = await server.Http.SendAsync(request, Cancellation);

        await OssErrorXml.ReadAsync(response, HttpStatusCode.NotFound, "NoSuchBucket");
    }

    [Fact]
    public async Task Path_style_on_an_ip_host_reads_the_bucket_from_the_path()
    {
        using var response = await Server.GetAsync(Key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // The URI carries only the key (like ali-oss without sldEnable); the bucket travels in Host and in the signature.
    private async Task<HttpResponseMessage> SendVirtualHostedAsync(string host, string key, string bucket = TestServer.Bucket)
    {
        var endpoint = new OssEndpoint(Server.Origin, bucket, TestServer.Region, OssAddressingStyle.Cname);
        var request = new HttpRequestMessage(HttpMethod.Get, endpoint.BuildObjectUri(key));
        request.Headers.Host = host;
        new OssV4Signer(endpoint, new StaticCredentialsProvider(TestServer.Credentials), TimeProvider.System).SignRequest(request, key);
        return await Server.Http.SendAsync(request, Cancellation);
    }
}
