using Gateway.Oss;
using LocalOss.Sts;

namespace LocalOss.Tests.Infrastructure;

/// <summary>
/// A LocalOss on 127.0.0.1:0 over a fresh temporary directory, with an HttpClient and the Gateway.Oss
/// signers pointed at it. One per test.
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    public const string Bucket = "test-bucket";
    public const string Region = "cn-hangzhou";

    public static readonly OssCredentials Credentials = new("LTAI5tTESTKEYID00000", "TESTSECRET0123456789abcdefABCDEF");

    private TestServer(LocalOssHost host, string workDirectory)
    {
        Host = host;
        WorkDirectory = workDirectory;
        Http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false });
    }

    public LocalOssHost Host { get; }

    public HttpClient Http { get; }

    /// <summary>The test's own directory; LocalOss's root is its "root" sub-directory, so anything else in it escaped.</summary>
    public string WorkDirectory { get; }

    public Uri Origin => new(Host.BaseAddress.GetLeftPart(UriPartial.Authority));

    /// <param name="stsIssuer">When set, LocalOss also accepts the temporary credentials it issues.</param>
    public static async Task<TestServer> StartAsync(Action<LocalOssOptions>? configure = null, LocalStsIssuer? stsIssuer = null)
    {
        var work = Path.Combine(Path.GetTempPath(), "localoss-tests", Guid.NewGuid().ToString("N"));
        var options = new LocalOssOptions
        {
            Root = Path.Combine(work, "root"),
            AccessKeyId = Credentials.AccessKeyId,
            AccessKeySecret = Credentials.AccessKeySecret,
            Region = Region,
        };
        configure?.Invoke(options);
        var host = stsIssuer is null
            ? await LocalOssHost.StartAsync(options, cancellationToken: TestContext.Current.CancellationToken)
            : await LocalOssHost.StartAsync(options, stsIssuer, cancellationToken: TestContext.Current.CancellationToken);
        host.CreateBucket(Bucket);
        return new TestServer(host, work);
    }

    public OssEndpoint Endpoint(string bucket = Bucket, OssAddressingStyle style = OssAddressingStyle.Path) =>
        new(Origin, bucket, Region, style);

    public OssV4Signer V4(string bucket = Bucket, OssCredentials? credentials = null, TimeProvider? time = null) =>
        new(Endpoint(bucket), new StaticCredentialsProvider(credentials ?? Credentials), time ?? TimeProvider.System);

    public OssV1Signer V1(string bucket = Bucket, OssCredentials? credentials = null, TimeProvider? time = null) =>
        new(Endpoint(bucket), new StaticCredentialsProvider(credentials ?? Credentials), time ?? TimeProvider.System);

    public HttpRequestMessage Request(HttpMethod method, string key, string bucket = Bucket, IReadOnlyList<KeyValuePair<string, string>>? query = null) =>
        new(method, Endpoint(bucket).BuildObjectUri(key, query));

    /// <summary>Signs with V4 in the Authorization header, then sends.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string key, string bucket = Bucket, IReadOnlyList<KeyValuePair<string, string>>? query = null)
    {
        V4(bucket).SignRequest(request, key, query);
        return Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public Task<HttpResponseMessage> PutAsync(string key, byte[] content, string? contentType = null, Action<HttpRequestMessage>? configure = null, string bucket = Bucket)
    {
        var request = Request(HttpMethod.Put, key, bucket);
        request.Content = new ByteArrayContent(content);
        if (contentType is not null)
        {
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }

        configure?.Invoke(request);
        return SendAsync(request, key, bucket);
    }

    public async Task<string> PutOkAsync(string key, byte[] content, string? contentType = null, string bucket = Bucket)
    {
        using var response = await PutAsync(key, content, contentType, bucket: bucket);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return response.Headers.ETag!.Tag;
    }

    public Task<HttpResponseMessage> GetAsync(string key, Action<HttpRequestMessage>? configure = null, HttpMethod? method = null, string bucket = Bucket, IReadOnlyList<KeyValuePair<string, string>>? query = null)
    {
        var request = Request(method ?? HttpMethod.Get, key, bucket, query);
        configure?.Invoke(request);
        return SendAsync(request, key, bucket, query);
    }

    public Task<HttpResponseMessage> HeadAsync(string key, Action<HttpRequestMessage>? configure = null) =>
        GetAsync(key, configure, HttpMethod.Head);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp directory is unique to this test.
        }
    }
}
