using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Oss;
using LocalOss.Sts;
using LocalOss.Tests.Infrastructure;

namespace LocalOss.Tests.Interop;

/// <summary>One result line of interop.mjs.</summary>
public sealed record InteropCase(string Name, bool Ok, string Detail);

/// <summary>
/// Starts LocalOss, installs ali-oss (npm ci, only when node_modules is missing or older than the lockfile)
/// and runs Interop/interop.mjs once for the whole class; each test then checks one case of its output.
/// </summary>
public sealed class NodeInteropFixture : IAsyncLifetime
{
    public const string Bucket = "interop-bucket";

    private static readonly OssCredentials Sts = new("STS.LocalOssInteropTemporary", "sts-interop-secret", "sts-token+/=with-odd-chars");
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Set when node is not installed: the only reason these tests may skip.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>Set when installing or running the script failed; every test then fails with it.</summary>
    public string? Failure { get; private set; }

    public string Summary { get; private set; } = "";

    public IReadOnlyDictionary<string, InteropCase> Cases { get; private set; } = new Dictionary<string, InteropCase>();

    public async ValueTask InitializeAsync()
    {
        var node = ProcessRunner.FindOnPath("node");
        if (node is null)
        {
            SkipReason = "Node.js ('node') is not on PATH; the ali-oss interoperability tests need Node.js 18 or later.";
            return;
        }

        var cancellation = TestContext.Current.CancellationToken;
        var directory = Path.Combine(AppContext.BaseDirectory, "Interop");
        try
        {
            await EnsureNodeModulesAsync(directory, cancellation);
            await RunScriptAsync(node, directory, cancellation);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or JsonException or IOException)
        {
            Failure = e.Message;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task RunScriptAsync(string node, string directory, CancellationToken cancellation)
    {
        var issuer = new LocalStsIssuer("node-interop-issuer-key");
        await using var server = await TestServer.StartAsync(
            options => options.AdditionalCredentials.Add(new LocalOssCredential
            {
                AccessKeyId = Sts.AccessKeyId,
                AccessKeySecret = Sts.AccessKeySecret,
                SecurityToken = Sts.SecurityToken,
            }),
            issuer);
        server.Host.CreateBucket(Bucket);

        var environment = new Dictionary<string, string>
        {
            ["LOCALOSS_ENDPOINT"] = server.Origin.ToString(),
            ["LOCALOSS_BUCKET"] = Bucket,
            ["LOCALOSS_ACCESS_KEY_ID"] = TestServer.Credentials.AccessKeyId,
            ["LOCALOSS_ACCESS_KEY_SECRET"] = TestServer.Credentials.AccessKeySecret,
            ["LOCALOSS_STS_ACCESS_KEY_ID"] = Sts.AccessKeyId,
            ["LOCALOSS_STS_ACCESS_KEY_SECRET"] = Sts.AccessKeySecret,
            ["LOCALOSS_STS_TOKEN"] = Sts.SecurityToken!,
            ["LOCALOSS_ISSUED"] = IssuedCredentialsJson(issuer),
        };
        var result = await ProcessRunner.RunAsync(node, ["interop.mjs"], directory, ScriptTimeout, environment, cancellation);
        var json = LastJsonLine(result.StandardOutput);
        if (result.ExitCode != 0 || json is null)
        {
            throw new InvalidOperationException($"node interop.mjs exited with {result.ExitCode}.\nstdout:\n{result.StandardOutput}\nstderr:\n{result.StandardError}");
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var cases = new Dictionary<string, InteropCase>(StringComparer.Ordinal);
        foreach (var item in root.GetProperty("cases").EnumerateArray())
        {
            var entry = new InteropCase(item.GetProperty("name").GetString()!, item.GetProperty("ok").GetBoolean(), item.GetProperty("detail").GetString() ?? "");
            cases[entry.Name] = entry;
        }

        Cases = cases;
        var passed = cases.Values.Count(c => c.Ok);
        Summary = $"node {root.GetProperty("node").GetString()}, ali-oss {root.GetProperty("aliOss").GetString()}: {passed} of {cases.Count} cases passed";
    }

    /// <summary>
    /// Valid, expired and revoked credentials for interop.mjs. The revoked ones are issued before a generation bump;
    /// the expired ones by an issuer with the same key, a clock two hours behind and the bump repeated, so that
    /// only their expiry is wrong.
    /// </summary>
    private static string IssuedCredentialsJson(LocalStsIssuer issuer)
    {
        const string Role = "acs:ram::1234567890123456:role/interop";
        var revoked = issuer.Issue(Role, "revoked", TimeSpan.FromHours(1));
        issuer.InvalidateAllIssued();
        var past = new LocalStsIssuer("node-interop-issuer-key", FixedTimeProvider.Offset(TimeSpan.FromHours(-2)));
        past.InvalidateAllIssued();
        var credentials = new Dictionary<string, IssuedCredentials>
        {
            ["valid"] = issuer.Issue(Role, "valid", TimeSpan.FromHours(1)),
            ["expired"] = past.Issue(Role, "expired", TimeSpan.FromHours(1)),
            ["revoked"] = revoked,
        };
        return JsonSerializer.Serialize(credentials.ToDictionary(
            pair => pair.Key,
            pair => new { accessKeyId = pair.Value.AccessKeyId, accessKeySecret = pair.Value.AccessKeySecret, securityToken = pair.Value.SecurityToken }));
    }

    private static async Task EnsureNodeModulesAsync(string directory, CancellationToken cancellation)
    {
        var lockHash = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(directory, "package-lock.json"), cancellation)));
        var marker = Path.Combine(directory, "node_modules", ".localoss-lock-sha256");
        if (File.Exists(marker) && await File.ReadAllTextAsync(marker, cancellation) == lockHash)
        {
            return;
        }

        var npm = ProcessRunner.FindOnPath("npm")
            ?? throw new InvalidOperationException("node is on PATH but npm is not; install npm to run the ali-oss interoperability tests.");
        var result = await ProcessRunner.RunAsync(npm, ["ci", "--no-audit", "--no-fund"], directory, NpmTimeout, cancellationToken: cancellation);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci failed with {result.ExitCode}.\nstdout:\n{result.StandardOutput}\nstderr:\n{result.StandardError}");
        }

        await File.WriteAllTextAsync(marker, lockHash, cancellation);
    }

    private static string? LastJsonLine(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = lines.Length - 1; i >= 0; i--)
        {
            if (lines[i].StartsWith('{'))
            {
                return lines[i];
            }
        }

        return null;
    }
}
