using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Oss;
using LocalOss;

namespace Gateway.FunctionalTests.Infrastructure;

/// <summary>
/// Everything a functional test needs, all real: a store server, LocalOss over a temporary
/// directory, and a gateway configured against both. One per test, disposed with it.
/// </summary>
public sealed class GatewayTestEnvironment : IAsyncDisposable
{
    public const string BucketAlias = "media";
    public const string BucketName = "test-bucket";
    public const string Region = "cn-hangzhou";
    public const string AccessKeyId = "LTAI5tFUNCTIONALTEST";
    public const string AccessKeySecret = "functional-test-secret-0123456789abcdef";
    public const string AdminKey = "gwk_test_admin_0123456789";
    public const string ReaderKey = "gwk_test_reader_0123456789";

    private readonly List<GatewayInstance> _extraGateways = [];
    private Action<Dictionary<string, string?>>? _configure;

    private GatewayTestEnvironment(string directory, StoreServer store, LocalOssHost oss, GatewayInstance gateway, OssV4Signer ossSigner, OssEndpoint ossEndpoint)
    {
        Directory = directory;
        Store = store;
        Oss = oss;
        Gateway = gateway;
        OssSigner = ossSigner;
        OssEndpoint = ossEndpoint;
        Admin = gateway.CreateClient(AdminKey);
    }

    public string Directory { get; }

    public StoreServer Store { get; }

    public LocalOssHost Oss { get; }

    public GatewayInstance Gateway { get; }

    /// <summary>Signs requests straight to LocalOss (bypassing the gateway) to set objects up.</summary>
    public OssV4Signer OssSigner { get; }

    public OssEndpoint OssEndpoint { get; }

    /// <summary>A client of the gateway that sends the all-scopes admin key.</summary>
    public HttpClient Admin { get; }

    /// <summary>Starts the environment on a store of its own, or on <paramref name="store"/> when given (see <see cref="StoreServer.External"/>).</summary>
    public static async Task<GatewayTestEnvironment> StartAsync(Action<Dictionary<string, string?>>? configure = null, StoreServer? store = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("gateway-test-").FullName;
        store ??= await StoreServer.StartAsync();
        var oss = await LocalOssHost.StartAsync(
            new LocalOssOptions
            {
                Root = Path.Combine(directory, "oss"),
                AccessKeyId = AccessKeyId,
                AccessKeySecret = AccessKeySecret,
                Region = Region,
            },
            cancellationToken: TestContext.Current.CancellationToken);

        var endpoint = new OssEndpoint(oss.BaseAddress, BucketName, Region, OssAddressingStyle.Path);
        var signer = new OssV4Signer(endpoint, new StaticCredentialsProvider(new OssCredentials(AccessKeyId, AccessKeySecret)), TimeProvider.System);
        var settings = GatewaySettings(directory, store.ConnectionString, oss.BaseAddress);
        configure?.Invoke(settings);
        var gateway = await GatewayInstance.StartAsync(settings);
        var environment = new GatewayTestEnvironment(directory, store, oss, gateway, signer, endpoint) { _configure = configure };
        await environment.SendToOssAsync(HttpMethod.Put, "", null);
        return environment;
    }

    public static Dictionary<string, string?> GatewaySettings(string directory, string? redis, Uri ossEndpoint) => new()
    {
        ["ConnectionStrings:Redis"] = redis ?? "",
        ["Gateway:DataDirectory"] = Path.Combine(directory, "gateway"),
        [$"Gateway:Buckets:{BucketAlias}:Endpoint"] = ossEndpoint.ToString().TrimEnd('/'),
        [$"Gateway:Buckets:{BucketAlias}:Bucket"] = BucketName,
        [$"Gateway:Buckets:{BucketAlias}:Region"] = Region,
        [$"Gateway:Buckets:{BucketAlias}:AddressingStyle"] = "Path",
        [$"Gateway:Buckets:{BucketAlias}:AccessKeyId"] = AccessKeyId,
        [$"Gateway:Buckets:{BucketAlias}:AccessKeySecret"] = AccessKeySecret,
        ["Gateway:Admin:ApiKeys:admin:Sha256"] = Sha256Hex(AdminKey),
        ["Gateway:Admin:ApiKeys:admin:Scopes:0"] = "links:read",
        ["Gateway:Admin:ApiKeys:admin:Scopes:1"] = "links:write",
        ["Gateway:Admin:ApiKeys:admin:Scopes:2"] = "stats:read",
        ["Gateway:Admin:ApiKeys:admin:Scopes:3"] = "presign",
        ["Gateway:Admin:ApiKeys:reader:Sha256"] = Sha256Hex(ReaderKey),
        ["Gateway:Admin:ApiKeys:reader:Scopes:0"] = "links:read",
    };

    /// <summary>
    /// Configures one more bucket alias on the same LocalOss, with the same credentials as
    /// <see cref="BucketAlias"/>: for keys scoped to some buckets and not others.
    /// </summary>
    public static void AddBucket(Dictionary<string, string?> settings, string alias, string bucketName)
    {
        settings[$"Gateway:Buckets:{alias}:Endpoint"] = settings[$"Gateway:Buckets:{BucketAlias}:Endpoint"];
        settings[$"Gateway:Buckets:{alias}:Bucket"] = bucketName;
        settings[$"Gateway:Buckets:{alias}:Region"] = Region;
        settings[$"Gateway:Buckets:{alias}:AddressingStyle"] = "Path";
        settings[$"Gateway:Buckets:{alias}:AccessKeyId"] = AccessKeyId;
        settings[$"Gateway:Buckets:{alias}:AccessKeySecret"] = AccessKeySecret;
    }

    public static string Sha256Hex(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary>Starts one more gateway on the same store and LocalOss (a second replica), configured like the first.</summary>
    public async Task<GatewayInstance> StartAnotherGatewayAsync()
    {
        var settings = GatewaySettings(Directory, Store.ConnectionString, Oss.BaseAddress);
        _configure?.Invoke(settings);
        var gateway = await GatewayInstance.StartAsync(settings);
        _extraGateways.Add(gateway);
        return gateway;
    }

    public Task PutObjectAsync(string key, byte[] content, string? contentType = null) =>
        SendToOssAsync(HttpMethod.Put, key, new ByteArrayContent(content), contentType);

    /// <summary>Uploads a stream of known length without holding it in memory.</summary>
    public Task PutObjectAsync(string key, Stream content, string? contentType = null)
    {
        var body = new StreamContent(content, 1024 * 1024);
        body.Headers.ContentLength = content.Length;
        return SendToOssAsync(HttpMethod.Put, key, body, contentType);
    }

    public async Task SendToOssAsync(HttpMethod method, string key, HttpContent? content, string? contentType = null)
    {
        using var request = new HttpRequestMessage(method, OssEndpoint.BuildObjectUri(key)) { Content = content };
        if (content is not null && contentType is not null)
        {
            content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }

        OssSigner.SignRequest(request, key);
        using var client = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        if (!response.IsSuccessStatusCode && !(method == HttpMethod.Put && key.Length == 0))
        {
            throw new InvalidOperationException($"LocalOss answered {(int)response.StatusCode} to {method} '{key}': {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Creates a link through the admin API and returns its code.</summary>
    public async Task<string> CreateLinkAsync(string key, object? extra = null)
    {
        var body = new Dictionary<string, object?> { ["bucket"] = BucketAlias, ["key"] = key };
        if (extra is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(extra).EnumerateObject())
            {
                body[property.Name] = property.Value;
            }
        }

        using var response = await Admin.PostAsJsonAsync("/api/v1/links", body, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"create link: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("code").GetString()!;
    }

    public async Task<JsonElement> GetLinkAsync(string code)
    {
        using var response = await Admin.GetAsync($"/api/v1/links/{code}", TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        foreach (var gateway in _extraGateways)
        {
            await gateway.DisposeAsync();
        }

        await Gateway.DisposeAsync();
        await Oss.DisposeAsync();
        await Store.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a closing server; the OS temp cleaner gets it.
        }
    }
}
