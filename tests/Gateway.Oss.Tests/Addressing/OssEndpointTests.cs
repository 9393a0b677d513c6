namespace Gateway.Oss.Tests.Addressing;

public sealed class OssEndpointTests
{
    private static readonly Uri Hangzhou = new("https://oss-cn-hangzhou.aliyuncs.com");

    [Fact]
    public void Virtual_hosted_style_puts_the_bucket_in_the_host()
    {
        var endpoint = new OssEndpoint(Hangzhou, "examplebucket", "cn-hangzhou", OssAddressingStyle.VirtualHosted);

        Assert.Equal("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/dir/file.txt", endpoint.BuildObjectUri("dir/file.txt").OriginalString);
    }

    [Fact]
    public void Path_style_puts_the_bucket_in_the_path_and_keeps_the_port()
    {
        var endpoint = new OssEndpoint(new Uri("http://127.0.0.1:9000"), "examplebucket", "cn-hangzhou", OssAddressingStyle.Path);

        var uri = endpoint.BuildObjectUri("dir/file.txt");

        Assert.Equal("http://127.0.0.1:9000/examplebucket/dir/file.txt", uri.OriginalString);
        Assert.Equal(9000, uri.Port);
    }

    [Fact]
    public void Cname_style_leaves_the_bucket_out_of_the_url()
    {
        var endpoint = new OssEndpoint(new Uri("https://files.example.com"), "examplebucket", "cn-hangzhou", OssAddressingStyle.Cname);

        Assert.Equal("https://files.example.com/dir/file.txt", endpoint.BuildObjectUri("dir/file.txt").OriginalString);
    }

    [Theory]
    [InlineData("a/../c.txt", "/examplebucket/a/../c.txt")]
    [InlineData("./x", "/examplebucket/./x")]
    [InlineData("a/./b/../../c", "/examplebucket/a/./b/../../c")]
    [InlineData("..", "/examplebucket/..")]
    [InlineData("//double", "/examplebucket///double")]
    [InlineData("dir/", "/examplebucket/dir/")]
    public void Dot_segments_and_empty_segments_survive_into_the_request_uri(string key, string expectedPath)
    {
        var endpoint = new OssEndpoint(new Uri("http://127.0.0.1:9000"), "examplebucket", "cn-hangzhou", OssAddressingStyle.Path);

        var uri = endpoint.BuildObjectUri(key);

        // PathAndQuery is what HttpClient writes on the request line.
        Assert.Equal(expectedPath, uri.PathAndQuery);
        Assert.Equal(expectedPath, uri.AbsolutePath);
    }

    [Fact]
    public void Key_characters_outside_the_unreserved_set_are_percent_encoded_in_upper_case()
    {
        var endpoint = new OssEndpoint(Hangzhou, "examplebucket", "cn-hangzhou", OssAddressingStyle.VirtualHosted);

        var uri = endpoint.BuildObjectUri("报告 2024/ä+b~c%20d(1)!.txt");

        Assert.Equal("/%E6%8A%A5%E5%91%8A%202024/%C3%A4%2Bb~c%2520d%281%29%21.txt", uri.AbsolutePath);
        Assert.Equal(uri.OriginalString, uri.AbsoluteUri);
    }

    [Fact]
    public void Query_is_encoded_with_slash_escaped_and_empty_values_as_bare_names_in_the_given_order()
    {
        var endpoint = new OssEndpoint(Hangzhou, "examplebucket", "cn-hangzhou", OssAddressingStyle.VirtualHosted);

        var uri = endpoint.BuildObjectUri("k", [new("versionId", "v/1+2="), new("acl", ""), new("response-content-disposition", "attachment; filename=\"a b.txt\"")]);

        Assert.Equal("?versionId=v%2F1%2B2%3D&acl&response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22", uri.Query);
    }

    [Fact]
    public void Empty_key_addresses_the_bucket()
    {
        var endpoint = new OssEndpoint(new Uri("http://localhost:9000"), "examplebucket", "cn-hangzhou", OssAddressingStyle.Path);

        Assert.Equal("http://localhost:9000/examplebucket/?acl", endpoint.BuildObjectUri(string.Empty, [new("acl", "")]).OriginalString);
    }

    [Fact]
    public void A_key_with_a_lone_surrogate_is_refused_rather_than_silently_changed()
    {
        var endpoint = new OssEndpoint(Hangzhou, "examplebucket", "cn-hangzhou", OssAddressingStyle.VirtualHosted);

        Assert.Throws<ArgumentException>(() => endpoint.BuildObjectUri("bad\uD800key"));
    }

    [Theory]
    [InlineData("https://oss-cn-hangzhou.aliyuncs.com/prefix")]
    [InlineData("https://oss-cn-hangzhou.aliyuncs.com/?x=1")]
    [InlineData("https://user:pw@oss-cn-hangzhou.aliyuncs.com")]
    [InlineData("ftp://oss-cn-hangzhou.aliyuncs.com")]
    [InlineData("https://127.0.0.1:9000")]
    public void Endpoints_that_cannot_address_a_bucket_are_refused(string endpoint) =>
        Assert.Throws<ArgumentException>(() => new OssEndpoint(new Uri(endpoint), "examplebucket", "cn-hangzhou", OssAddressingStyle.VirtualHosted));

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("-leading")]
    [InlineData("trailing-")]
    [InlineData("under_score")]
    public void Invalid_bucket_names_are_refused(string bucket) =>
        Assert.Throws<ArgumentException>(() => new OssEndpoint(Hangzhou, bucket, "cn-hangzhou", OssAddressingStyle.VirtualHosted));

    [Theory]
    [InlineData("")]
    [InlineData("cn/hangzhou")]
    [InlineData("cn hangzhou")]
    public void Regions_that_would_break_the_scope_are_refused(string region) =>
        Assert.ThrowsAny<ArgumentException>(() => new OssEndpoint(Hangzhou, "examplebucket", region, OssAddressingStyle.VirtualHosted));

    [Fact]
    public void CloudBox_endpoint_signs_with_its_product_and_cloudbox_id()
    {
        var endpoint = new OssEndpoint(new Uri("https://cb-123.cn-hangzhou.oss-cloudbox.aliyuncs.com"), "bucket", "cb-123", OssAddressingStyle.VirtualHosted, "oss-cloudbox");

        Assert.Equal(("bucket", "cb-123", "oss-cloudbox"), (endpoint.Bucket, endpoint.Region, endpoint.Product));
        Assert.Equal("https://bucket.cb-123.cn-hangzhou.oss-cloudbox.aliyuncs.com/k", endpoint.BuildObjectUri("k").OriginalString);
    }
}
