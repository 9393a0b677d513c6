using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gateway.Admin;

namespace Gateway.Demo;

/// <summary>
/// With no bucket configured, the gateway runs a complete demo on a fresh machine: an in-process
/// LocalOss over the data directory, a sample object, a link to it, and an admin key, all printed
/// as a ready curl line. Nothing to install, nothing to configure.
/// </summary>
internal static class DemoMode
{
    public const string BucketAlias = "demo";
    public const string BucketName = "demo-bucket";
    public const string Region = "cn-hangzhou";
    public const string SampleKey = "samples/hello-gateway.txt";
    public const string SampleCode = "welcome";

    public static WebApplicationBuilder AddDemoModeWhenUnconfigured(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetSection("Gateway:Buckets").GetChildren().Any())
        {
            return builder;
        }

        var settings = new DemoSettings(
            LocalOssPort: FindFreeLoopbackPort(),
            AdminKey: "gwk_demo_" + RandomNumberGenerator.GetHexString(32, lowercase: true),
            AccessKeyId: "LTAIdemo" + RandomNumberGenerator.GetHexString(12),
            AccessKeySecret: RandomNumberGenerator.GetHexString(40));
        var bucket = $"Gateway:Buckets:{BucketAlias}";
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{bucket}:Endpoint"] = settings.LocalOssUrl,
            [$"{bucket}:Bucket"] = BucketName,
            [$"{bucket}:Region"] = Region,
            [$"{bucket}:AddressingStyle"] = "Path",
            [$"{bucket}:AccessKeyId"] = settings.AccessKeyId,
            [$"{bucket}:AccessKeySecret"] = settings.AccessKeySecret,
            ["Gateway:Admin:ApiKeys:demo:Sha256"] = ApiKeyRegistry.HashHex(settings.AdminKey),
            ["Gateway:Admin:ApiKeys:demo:Scopes:0"] = ApiScopes.LinksRead,
            ["Gateway:Admin:ApiKeys:demo:Scopes:1"] = ApiScopes.LinksWrite,
            ["Gateway:Admin:ApiKeys:demo:Scopes:2"] = ApiScopes.StatsRead,
            ["Gateway:Admin:ApiKeys:demo:Scopes:3"] = ApiScopes.Presign,
        });
        builder.Services.AddSingleton(settings);
        builder.Services.AddHostedService<DemoHost>();
        return builder;
    }

    private static int FindFreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>What demo mode made up for this run.</summary>
internal sealed record DemoSettings(int LocalOssPort, string AdminKey, string AccessKeyId, string AccessKeySecret)
{
    public string LocalOssUrl => $"http://127.0.0.1:{LocalOssPort}";
}
