using System.Net;
using LocalOss.Tests.Infrastructure;

namespace LocalOss.Tests;

/// <summary>OSS's XML errors (oss/SIGNING.md §9): status, Code, EC, request id; HEAD errors without body.</summary>
public sealed class ErrorResponseTests : LocalOssTest
{
    [Fact]
    public async Task Missing_key_is_404_NoSuchKey_with_the_key_and_oss_ec()
    {
        using var response = await Server.GetAsync("no/such key.txt");

        var error = await OssErrorXml.ReadAsync(response, HttpStatusCode.NotFound, "NoSuchKey");
        Assert.Equal("The specified key does not exist.", (string?)error.Element("Message"));
        Assert.Equal("no/such key.txt", (string?)error.Element("Key"));
        Assert.Equal("0026-00000001", (string?)error.Element("EC"));
    }

    [Fact]
    public async Task Missing_bucket_is_404_NoSuchBucket_with_the_bucket_name()
    {
        using var response = await Server.GetAsync("key.txt", bucket: "no-such-bucket");

        var error = await OssErrorXml.ReadAsync(response, HttpStatusCode.NotFound, "NoSuchBucket");
        Assert.Equal("no-such-bucket", (string?)error.Element("BucketName"));
        Assert.Equal("0015-00000101", (string?)error.Element("EC"));
    }

    [Fact]
    public async Task Put_into_a_missing_bucket_is_NoSuchBucket()
    {
        using var response = await Server.PutAsync("key.txt", "x"u8.ToArray(), bucket: "no-such-bucket");

        await OssErrorXml.ReadAsync(response, HttpStatusCode.NotFound, "NoSuchBucket");
    }

    [Fact]
    public async Task Head_of_a_missing_key_has_no_body_but_x_oss_err_and_x_oss_ec()
    {
        using var response = await Server.HeadAsync("missing.txt");

        var error = await OssErrorXml.ReadHeadAsync(response, HttpStatusCode.NotFound, "NoSuchKey");
        Assert.Equal("0026-00000001", Assert.Single(response.Headers.GetValues("x-oss-ec")));
        Assert.Equal("missing.txt", (string?)error.Element("Key"));
    }

    [Fact]
    public async Task Key_longer_than_1023_bytes_is_400_InvalidObjectName()
    {
        var key = new string('k', 1024);

        using var response = await Server.GetAsync(key);

        await OssErrorXml.ReadAsync(response, HttpStatusCode.BadRequest, "InvalidObjectName");
    }

    [Fact]
    public async Task Key_of_exactly_1023_bytes_is_accepted()
    {
        var key = new string('é', 511) + "k";

        using var response = await Server.PutAsync(key, "x"u8.ToArray());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Invalid_bucket_name_is_400_InvalidBucketName()
    {
        using var response = await Server.Http.GetAsync(new Uri(Server.Origin, "/Bad_Bucket/key"), Cancellation);

        await OssErrorXml.ReadAsync(response, HttpStatusCode.BadRequest, "InvalidBucketName");
    }

    [Fact]
    public async Task Unsupported_sub_resource_is_501_and_does_not_touch_the_object()
    {
        await Server.PutOkAsync("acl-target.txt", "original"u8.ToArray());
        KeyValuePair<string, string>[] acl = [new("acl", "")];
        var request = Server.Request(HttpMethod.Put, "acl-target.txt", query: acl);
        request.Content = new StringContent("<AccessControlPolicy/>");

        using var response = await Server.SendAsync(request, "acl-target.txt", query: acl);

        await OssErrorXml.ReadAsync(response, HttpStatusCode.NotImplemented, "NotImplemented");
        using var get = await Server.GetAsync("acl-target.txt");
        Assert.Equal("original", await get.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task Unsupported_method_on_an_object_is_405_MethodNotAllowed()
    {
        using var response = await Server.GetAsync("key.txt", method: HttpMethod.Patch);

        await OssErrorXml.ReadAsync(response, HttpStatusCode.MethodNotAllowed, "MethodNotAllowed");
    }

    [Fact]
    public async Task Malformed_percent_encoding_in_the_key_is_400_InvalidArgument()
    {
        var uri = new Uri(Server.Origin + "test-bucket/bad%zzescape", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

        using var response = await Server.Http.GetAsync(uri, Cancellation);

        await OssErrorXml.ReadAsync(response, HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Fact]
    public async Task Version_id_other_than_null_is_NoSuchVersion()
    {
        await Server.PutOkAsync("versioned.txt", "v"u8.ToArray());
        KeyValuePair<string, string>[] query = [new("versionId", "CAEQNhiBgMDJgZCA0BYiIDc4MGZjZGI2OTBjOTRmNTE5NmU5NmFmZjQ1")];

        using var response = await Server.GetAsync("versioned.txt", query: query);

        await OssErrorXml.ReadAsync(response, HttpStatusCode.NotFound, "NoSuchVersion");
    }
}
