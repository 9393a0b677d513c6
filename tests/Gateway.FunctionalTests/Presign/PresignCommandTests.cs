using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Presign;

namespace Gateway.FunctionalTests.Presign;

/// <summary>
/// <c>gateway presign ...</c>: in process for most cases, and as the real program (Gateway.dll in a child
/// process) where what matters is the program: dispatch from Program.cs, configuration from the environment,
/// exit codes, and that it exits without starting a server.
/// </summary>
public sealed class PresignCommandTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _env = await GatewayTestEnvironment.StartAsync();
        await _env.PutObjectAsync("cli/hello.txt", "hello from the command line"u8.ToArray());
    }

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    /// <summary>The bucket as --Gateway:... arguments, the way an operator would pass it.</summary>
    private string[] BucketArguments()
    {
        var prefix = $"Gateway:Buckets:{GatewayTestEnvironment.BucketAlias}";
        return
        [
            $"--{prefix}:Endpoint={_env.Oss.BaseAddress.ToString().TrimEnd('/')}",
            $"--{prefix}:Bucket={GatewayTestEnvironment.BucketName}",
            $"--{prefix}:Region", GatewayTestEnvironment.Region,
            $"--{prefix}:AddressingStyle=Path",
            $"--{prefix}:AccessKeyId={GatewayTestEnvironment.AccessKeyId}",
            $"--{prefix}:AccessKeySecret={GatewayTestEnvironment.AccessKeySecret}",
        ];
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunInProcessAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await PresignCommand.RunAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task The_printed_url_downloads_the_object()
    {
        var (exitCode, output, error) = await RunInProcessAsync([.. BucketArguments(), "--bucket", "media", "--key", "cli/hello.txt", "--expires", "600"]);

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        var url = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("x-oss-expires=600", url, StringComparison.Ordinal);
        using var oss = new HttpClient();
        Assert.Equal("hello from the command line", await oss.GetStringAsync(url, Cancel));
    }

    [Fact]
    public async Task A_PUT_url_prints_the_headers_to_send_and_uploads_with_them()
    {
        var (exitCode, output, _) = await RunInProcessAsync(
            [.. BucketArguments(), "--bucket", "media", "--key", "cli/upload.csv", "--method", "put", "--header", "Content-Type: text/csv", "--header=x-oss-meta-batch: 7", "--traffic-limit", "819200"]);

        Assert.Equal(0, exitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("x-oss-traffic-limit=819200", lines[0], StringComparison.Ordinal);
        Assert.Contains("Content-Type: text/csv", lines[1..]);
        Assert.Contains("x-oss-meta-batch: 7", lines[1..]);

        using var put = new HttpRequestMessage(HttpMethod.Put, lines[0]) { Content = new ByteArrayContent("a,b\n1,2\n"u8.ToArray()) };
        put.Content.Headers.ContentType = new("text/csv");
        put.Headers.Add("x-oss-meta-batch", "7");
        using var oss = new HttpClient();
        using var uploaded = await oss.SendAsync(put, Cancel);
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);

        var (_, getOutput, _) = await RunInProcessAsync([.. BucketArguments(), "--bucket", "media", "--key", "cli/upload.csv"]);
        using var read = await oss.GetAsync(getOutput.Trim(), Cancel);
        Assert.Equal("a,b\n1,2\n", await read.Content.ReadAsStringAsync(Cancel));
        Assert.Equal("text/csv", read.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Json_output_matches_the_api_shape()
    {
        var (exitCode, output, _) = await RunInProcessAsync([.. BucketArguments(), "--json", "--bucket", "media", "--key", "cli/hello.txt", "--method", "HEAD", "--expires", "60"]);

        Assert.Equal(0, exitCode);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal("HEAD", json.GetProperty("method").GetString());
        Assert.InRange(json.GetProperty("expiration").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddSeconds(50), DateTimeOffset.UtcNow.AddSeconds(70));
        using var oss = new HttpClient();
        using var head = await oss.SendAsync(new HttpRequestMessage(HttpMethod.Head, json.GetProperty("url").GetString()), Cancel);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }

    [Theory]
    [InlineData("--expires", "0", "--expires")]
    [InlineData("--expires", "ten", "--expires")]
    [InlineData("--method", "PATCH", "--method")]
    [InlineData("--version-id", "", "--version-id")]
    [InlineData("--header", "NoColon", "--header")]
    [InlineData("--header", "Authorization: x", "--header Authorization")]
    [InlineData("--subnet-mask", "24", "--subnet-mask")]
    [InlineData("--bucket", "nope", "--bucket")]
    [InlineData("--unknown", "x", "--unknown")]
    public async Task Invalid_arguments_exit_2_naming_the_option(string option, string value, string named)
    {
        string[] args = option == "--bucket"
            ? [.. BucketArguments(), "--key", "k", option, value]
            : [.. BucketArguments(), "--bucket", "media", "--key", "k", option, value];

        var (exitCode, output, error) = await RunInProcessAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Contains(named, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_bucket_or_key_exits_2_and_help_exits_0()
    {
        var (missing, _, missingError) = await RunInProcessAsync([.. BucketArguments(), "--key", "k"]);
        var (help, helpOutput, _) = await RunInProcessAsync("--help");

        Assert.Equal(2, missing);
        Assert.Contains("--bucket", missingError, StringComparison.Ordinal);
        Assert.Equal(0, help);
        Assert.Contains("Exit codes", helpOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_program_reads_buckets_from_environment_variables_and_exits_without_serving()
    {
        var environment = new Dictionary<string, string>
        {
            ["Gateway__Buckets__media__Endpoint"] = _env.Oss.BaseAddress.ToString().TrimEnd('/'),
            ["Gateway__Buckets__media__Bucket"] = GatewayTestEnvironment.BucketName,
            ["Gateway__Buckets__media__Region"] = GatewayTestEnvironment.Region,
            ["Gateway__Buckets__media__AddressingStyle"] = "Path",
            ["OSS_ACCESS_KEY_ID"] = GatewayTestEnvironment.AccessKeyId,
            ["OSS_ACCESS_KEY_SECRET"] = GatewayTestEnvironment.AccessKeySecret,
        };

        var (exitCode, output, error, elapsed) = await RunProgramAsync(environment, "presign", "--bucket", "media", "--key", "cli/hello.txt", "--expires", "120");

        Assert.True(exitCode == 0, $"exit {exitCode}: {error}");
        using var oss = new HttpClient();
        Assert.Equal("hello from the command line", await oss.GetStringAsync(output.Trim(), Cancel));
        Assert.DoesNotContain("Now listening", output + error, StringComparison.Ordinal);
        Assert.True(elapsed < TimeSpan.FromSeconds(30), $"took {elapsed}");
    }

    [Fact]
    public async Task The_program_without_a_configured_bucket_says_so_and_starts_no_demo()
    {
        var (exitCode, output, error, _) = await RunProgramAsync(new Dictionary<string, string>(), "presign", "--bucket", "demo", "--key", "samples/hello-gateway.txt");

        Assert.Equal(3, exitCode);
        Assert.Equal("", output);
        Assert.Contains("no bucket is configured", error, StringComparison.Ordinal);
        Assert.DoesNotContain("demo mode:", error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_program_reports_invalid_configuration_with_exit_code_3()
    {
        var (exitCode, _, error, _) = await RunProgramAsync(
            new Dictionary<string, string>(),
            "presign", "--bucket", "media", "--key", "k", "--Gateway:Buckets:media:Endpoint=ftp://example.com", "--Gateway:Buckets:media:Bucket=b");

        Assert.Equal(3, exitCode);
        Assert.Contains("Gateway:Buckets:media:Endpoint", error, StringComparison.Ordinal);
    }

    /// <summary>Runs Gateway.dll (copied beside the tests) in a fresh directory, with a clean Gateway/OSS environment.</summary>
    private static async Task<(int ExitCode, string Output, string Error, TimeSpan Elapsed)> RunProgramAsync(Dictionary<string, string> environment, params string[] args)
    {
        var directory = Directory.CreateTempSubdirectory("gateway-cli-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Gateway.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Gateway__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("OSS_", StringComparison.Ordinal) || k == "GATEWAY_CONFIG_FILE").ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Cancel);
        var error = process.StandardError.ReadToEndAsync(Cancel);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS temp cleaner.
            }
        }

        return (process.ExitCode, await output, await error, stopwatch.Elapsed);
    }
}
