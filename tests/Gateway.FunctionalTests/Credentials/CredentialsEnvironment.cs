using System.Net.Http.Json;
using System.Text.Json;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.FunctionalTests.Telemetry;
using Gateway.Oss;
using LocalOss;
using LocalOss.Sts;

namespace Gateway.FunctionalTests.Credentials;

/// <summary>
/// A gateway whose bucket uses one of the temporary credential types, with everything real on
/// sockets: LocalOss accepting what a local STS issuer mints, the STS stand-in (AssumeRole,
/// AssumeRoleWithOIDC, a credentials URI) and the ECS metadata stand-in (IMDSv2), a store server,
/// and every log line captured.
/// </summary>
internal sealed class CredentialsEnvironment : IAsyncDisposable
{
    public const string CallerAccessKeyId = "LTAI5tCALLER00000001";
    public const string CallerAccessKeySecret = "caller-secret-0123456789abcdef";
    public const string RoleArn = "acs:ram::1234567890123456:role/gateway-oss-read";
    public const string OidcProviderArn = "acs:ram::1234567890123456:oidc-provider/ack-rrsa-test";
    public const string FirstOidcToken = "eyJhbGciOiJSUzI1NiJ9.first-projected-token.signature";
    public const string EcsRoleName = "GatewayEcsRole";

    private CredentialsEnvironment(string directory, StoreServer store, LocalStsIssuer issuer, LocalOssHost oss, LocalStsServer sts, LocalEcsMetadataServer metadata, string oidcTokenFile)
    {
        Directory = directory;
        Store = store;
        Issuer = issuer;
        Oss = oss;
        Sts = sts;
        Metadata = metadata;
        OidcTokenFile = oidcTokenFile;
        var endpoint = new OssEndpoint(oss.BaseAddress, GatewayTestEnvironment.BucketName, GatewayTestEnvironment.Region, OssAddressingStyle.Path);
        OssEndpoint = endpoint;
        RootSigner = new OssV4Signer(endpoint, new StaticCredentialsProvider(new OssCredentials(GatewayTestEnvironment.AccessKeyId, GatewayTestEnvironment.AccessKeySecret)), TimeProvider.System);
    }

    public string Directory { get; }

    public StoreServer Store { get; }

    public LocalStsIssuer Issuer { get; }

    public LocalOssHost Oss { get; }

    public LocalStsServer Sts { get; }

    public LocalEcsMetadataServer Metadata { get; }

    public string OidcTokenFile { get; }

    public OssEndpoint OssEndpoint { get; }

    public OssV4Signer RootSigner { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public ObservedGateway Gateway { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Starts the stand-ins (credentials issued for <paramref name="issuedLifetime"/>, default an hour) without a gateway.</summary>
    public static async Task<CredentialsEnvironment> StartAsync(TimeSpan? issuedLifetime = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("gateway-credentials-").FullName;
        var store = await StoreServer.StartAsync();
        var issuer = new LocalStsIssuer("functional-test-sts-issuer-key-0123456789abcdef");
        var oss = await LocalOssHost.StartAsync(
            new LocalOssOptions
            {
                Root = Path.Combine(directory, "oss"),
                AccessKeyId = GatewayTestEnvironment.AccessKeyId,
                AccessKeySecret = GatewayTestEnvironment.AccessKeySecret,
                Region = GatewayTestEnvironment.Region,
            },
            issuer,
            cancellationToken: Cancel);
        var stsOptions = new LocalStsServerOptions();
        stsOptions.Callers.Add(new LocalStsCaller { AccessKeyId = CallerAccessKeyId, AccessKeySecret = CallerAccessKeySecret });
        stsOptions.OidcProviderArns.Add(OidcProviderArn);
        stsOptions.OidcTokens.Add(FirstOidcToken);
        var sts = await LocalStsServer.StartAsync(stsOptions, issuer, cancellationToken: Cancel);
        var metadata = await LocalEcsMetadataServer.StartAsync(new LocalEcsMetadataOptions { RoleName = EcsRoleName }, issuer, cancellationToken: Cancel);
        sts.IssuedLifetimeOverride = issuedLifetime;
        metadata.IssuedLifetimeOverride = issuedLifetime;
        var tokenFile = Path.Combine(directory, "oidc-token");
        await File.WriteAllTextAsync(tokenFile, FirstOidcToken, Cancel);
        var environment = new CredentialsEnvironment(directory, store, issuer, oss, sts, metadata, tokenFile);
        await environment.SendToOssAsync(HttpMethod.Put, "", null);
        return environment;
    }

    /// <summary>The gateway's settings with the bucket's credentials of <paramref name="type"/> pointed at the stand-ins.</summary>
    public Dictionary<string, string?> Settings(string type)
    {
        var settings = GatewayTestEnvironment.GatewaySettings(Directory, Store.ConnectionString, Oss.BaseAddress);
        var bucket = $"Gateway:Buckets:{GatewayTestEnvironment.BucketAlias}";
        settings.Remove($"{bucket}:AccessKeyId");
        settings.Remove($"{bucket}:AccessKeySecret");
        settings["Gateway:Credentials:EcsMetadataEndpoint"] = Metadata.BaseAddress.ToString();
        settings["Gateway:Credentials:StsEndpoint"] = Sts.BaseAddress.ToString();
        settings[$"{bucket}:Credentials:Type"] = type;
        switch (type)
        {
            case "EcsRamRole":
                break;
            case "OidcRoleArn":
                settings[$"{bucket}:Credentials:RoleArn"] = RoleArn;
                settings[$"{bucket}:Credentials:OidcProviderArn"] = OidcProviderArn;
                settings[$"{bucket}:Credentials:OidcTokenFile"] = OidcTokenFile;
                break;
            case "RamRoleArn":
                settings[$"{bucket}:Credentials:AccessKeyId"] = CallerAccessKeyId;
                settings[$"{bucket}:Credentials:AccessKeySecret"] = CallerAccessKeySecret;
                settings[$"{bucket}:Credentials:RoleArn"] = RoleArn;
                settings[$"{bucket}:Credentials:RoleSessionName"] = "gateway-test";
                settings[$"{bucket}:Credentials:ExternalId"] = "external-1234";
                settings[$"{bucket}:Credentials:DurationSeconds"] = "900";
                break;
            case "CredentialsUri":
                settings[$"{bucket}:Credentials:Uri"] = Sts.CredentialsUri.ToString();
                break;
            case "AccessKey":
                settings[$"{bucket}:Credentials:AccessKeyId"] = GatewayTestEnvironment.AccessKeyId;
                settings[$"{bucket}:Credentials:AccessKeySecret"] = GatewayTestEnvironment.AccessKeySecret;
                break;
            case "Sts":
                var issued = Issuer.Issue(RoleArn, "static-sts", TimeSpan.FromHours(1));
                settings[$"{bucket}:Credentials:AccessKeyId"] = issued.AccessKeyId;
                settings[$"{bucket}:Credentials:AccessKeySecret"] = issued.AccessKeySecret;
                settings[$"{bucket}:Credentials:SecurityToken"] = issued.SecurityToken;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Not a credential type of this environment.");
        }

        // Every line the gateway logs, at Trace, is kept for the secret checks; the console stays quiet.
        foreach (var category in new[] { "Default", "Microsoft", "Microsoft.AspNetCore", "Yarp", "System.Net.Http.HttpClient", "Gateway" })
        {
            settings[$"Logging:LogLevel:{category}"] = "Trace";
        }

        settings["Logging:Console:LogLevel:Default"] = "None";
        return settings;
    }

    public async Task StartGatewayAsync(Dictionary<string, string?> settings)
    {
        Gateway = await ObservedGateway.StartAsync(settings, app => app.Services.GetRequiredService<ILoggerFactory>().AddProvider(Logs));
        Admin = Gateway.CreateClient(GatewayTestEnvironment.AdminKey);
    }

    public Task PutObjectAsync(string key, byte[] content) => SendToOssAsync(HttpMethod.Put, key, new ByteArrayContent(content));

    public async Task<string> CreateLinkAsync(string key, object? extra = null)
    {
        var body = new Dictionary<string, object?> { ["bucket"] = GatewayTestEnvironment.BucketAlias, ["key"] = key };
        if (extra is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(extra).EnumerateObject())
            {
                body[property.Name] = property.Value;
            }
        }

        using var response = await Admin.PostAsJsonAsync("/api/v1/links", body, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"create link: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("code").GetString()!;
    }

    /// <summary>Everything secret the stand-ins handed out or were given, which no log line may contain.</summary>
    public IEnumerable<string> Secrets() =>
        Issuer.Issued.SelectMany(c => new[] { c.AccessKeySecret, c.SecurityToken }).Concat([CallerAccessKeySecret, FirstOidcToken, GatewayTestEnvironment.AccessKeySecret]);

    public async ValueTask DisposeAsync()
    {
        if (Gateway is not null)
        {
            Admin.Dispose();
            await Gateway.DisposeAsync();
        }

        await Metadata.DisposeAsync();
        await Sts.DisposeAsync();
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

    private async Task SendToOssAsync(HttpMethod method, string key, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, OssEndpoint.BuildObjectUri(key)) { Content = content };
        RootSigner.SignRequest(request, key);
        using var client = new HttpClient();
        using var response = await client.SendAsync(request, Cancel);
        if (!response.IsSuccessStatusCode && !(method == HttpMethod.Put && key.Length == 0))
        {
            throw new InvalidOperationException($"LocalOss answered {(int)response.StatusCode} to {method} '{key}'.");
        }
    }
}
