using System.Net;
using System.Net.Sockets;
using System.Text;
using LocalOss.Tests.Infrastructure;

namespace LocalOss.Tests;

/// <summary>No key, bucket or raw target can read or write outside the root, or reach another bucket.</summary>
public sealed class PathSafetyTests : LocalOssTest
{
    public static TheoryData<string> EscapingKeys =>
    [
        "../../../escaped.txt",
        "../other-bucket/planted.txt",
        "..\\..\\escaped-backslash.txt",
        "a/../../../../escaped-deep.txt",
        "%2e%2e/%2e%2e/escaped-encoded.txt",
        "C:\\Windows\\escaped.txt",
        "~/escaped-home.txt",
    ];

    [Theory]
    [MemberData(nameof(EscapingKeys))]
    public async Task Keys_with_traversal_segments_are_stored_inside_their_bucket(string key)
    {
        Server.Host.CreateBucket("other-bucket");

        await Server.PutOkAsync(key, "inside"u8.ToArray());

        var bucketDirectory = Path.Combine(Server.Host.RootPath, TestServer.Bucket) + Path.DirectorySeparatorChar;
        var files = Directory.GetFiles(Server.WorkDirectory, "*", SearchOption.AllDirectories);
        Assert.All(files, file => Assert.StartsWith(bucketDirectory, file, StringComparison.Ordinal));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(Server.Host.RootPath, "other-bucket")));
        using var get = await Server.GetAsync(key);
        Assert.Equal("inside", await get.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task Dot_segments_in_a_key_do_not_reach_another_bucket()
    {
        Server.Host.CreateBucket("other-bucket");
        await Server.PutOkAsync("secret.txt", "other bucket's secret"u8.ToArray(), bucket: "other-bucket");

        using var response = await Server.GetAsync("../other-bucket/secret.txt");

        await OssErrorXml.ReadAsync(response, HttpStatusCode.NotFound, "NoSuchKey");
    }

    [Theory]
    [InlineData("/%2e%2e/etc/passwd")]
    [InlineData("/../etc/passwd")]
    [InlineData("/..%2f..%2fetc/passwd")]
    [InlineData("/.%2e/root/test-bucket")]
    public async Task Traversal_in_the_bucket_segment_is_an_invalid_bucket_name(string target)
    {
        var response = await SendRawAsync($"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.Contains("<Code>InvalidBucketName</Code>", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Raw_dot_segments_are_not_normalised_into_another_object()
    {
        await Server.PutOkAsync("visible.txt", "visible"u8.ToArray());
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Server.Origin + "test-bucket/hidden/../visible.txt", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }));
        Server.V4().SignRequest(request, "hidden/../visible.txt");

        using var response = await Server.Http.SendAsync(request, Cancellation);

        var error = await OssErrorXml.ReadAsync(response, HttpStatusCode.NotFound, "NoSuchKey");
        Assert.Equal("hidden/../visible.txt", (string?)error.Element("Key"));
    }

    private async Task<string> SendRawAsync(string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(Server.Host.BaseAddress.Host, Server.Host.BaseAddress.Port, Cancellation);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), Cancellation);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(Cancellation);
    }
}
