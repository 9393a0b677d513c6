using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Oss.Tests.Support;
using Gateway.Oss.Verification;

namespace Gateway.Oss.Tests;

/// <summary>Sends signed requests with a real HttpClient to a socket and verifies what actually arrived: the request
/// line (dot-segments intact), the Host HttpClient chose, and headers as HttpClient serialised them.</summary>
public sealed class WireTests
{
    private static readonly OssCredentials Alice = new("LTAI5tALICE000000000", "alice-secret", "sts/token+=");

    [Theory]
    [InlineData("a/../c.txt")]
    [InlineData("./x")]
    [InlineData("a/%2E%2E/c")]
    [InlineData("报告 (1)!+~.txt")]
    [InlineData("dir//double/")]
    public async Task What_HttpClient_sends_is_what_was_signed(string key)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var endpoint = new OssEndpoint(new Uri($"http://127.0.0.1:{port}"), "examplebucket", "cn-hangzhou", OssAddressingStyle.Path);
        var clock = new FixedTimeProvider(DateTimeOffset.UtcNow);
        List<KeyValuePair<string, string>> query = [new("versionId", "v/1"), new("response-content-disposition", "attachment; filename=\"a b.txt\"")];

        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint.BuildObjectUri(key, query));
        request.Headers.TryAddWithoutValidation("x-oss-meta-tags", "one");
        request.Headers.TryAddWithoutValidation("x-oss-meta-tags", "two");
        request.Headers.Range = new(0, 9);
        new OssV4Signer(endpoint, new StaticCredentialsProvider(Alice), clock).SignRequest(request, key, query, ["range", "host"]);

        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var send = client.SendAsync(request, cancellationToken);
        using var connection = await listener.AcceptTcpClientAsync(cancellationToken);
        var stream = connection.GetStream();
        var head = await ReadHeadAsync(stream, cancellationToken);
        await stream.WriteAsync("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"u8.ToArray(), cancellationToken);
        using var response = await send;

        var lines = head.Split("\r\n");
        var target = lines[0].Split(' ')[1];
        var headers = lines.Skip(1).Where(l => l.Length > 0).Select(l => new KeyValuePair<string, string>(l[..l.IndexOf(':', StringComparison.Ordinal)], l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())).ToList();
        var incoming = ServerSide.FromUrl("GET", $"http://127.0.0.1:{port}{target}", OssAddressingStyle.Path, headers);

        Assert.Equal(key, incoming.Key);
        Assert.Equal(query, incoming.Query);
        var result = ServerSide.Verifier(clock, known: Alice).Verify(incoming);
        Assert.True(result.Succeeded, $"{result.ErrorCode}: {result.Message} {string.Join(" | ", result.Details)}");
        Assert.Equal(OssAuthScheme.V4Header, result.Scheme);
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        while (true)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            Assert.NotEqual(0, read);
            length += read;
            var text = Encoding.Latin1.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                return text[..end];
            }
        }
    }
}
