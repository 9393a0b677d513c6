using System.Diagnostics;
using System.Net;
using LocalOss.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace LocalOss.Tests;

public sealed class HostingTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Host_on_port_zero_reports_the_port_it_bound()
    {
        await using var server = await TestServer.StartAsync();

        var address = server.Host.BaseAddress;

        Assert.Equal("127.0.0.1", address.Host);
        Assert.NotEqual(0, address.Port);
        Assert.Equal("/", address.AbsolutePath);
        using var response = await server.Http.GetAsync(address, Cancellation);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Host_creates_a_missing_root_directory()
    {
        await using var server = await TestServer.StartAsync();

        Assert.True(Directory.Exists(server.Host.RootPath));
        Assert.True(Path.IsPathFullyQualified(server.Host.RootPath));
    }

    public static TheoryData<string, string> InvalidOptions => new()
    {
        { nameof(LocalOssOptions.AccessKeyId), "LocalOss:AccessKeyId" },
        { nameof(LocalOssOptions.AccessKeySecret), "LocalOss:AccessKeySecret" },
        { nameof(LocalOssOptions.Root), "LocalOss:Root" },
        { nameof(LocalOssOptions.Region), "LocalOss:Region" },
        { nameof(LocalOssOptions.AdditionalCredentials), "LocalOss:AdditionalCredentials:0:AccessKeySecret" },
        { nameof(LocalOssOptions.VirtualHostDomains), "LocalOss:VirtualHostDomains:0" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public async Task Invalid_option_stops_the_start_with_a_message_naming_the_key(string property, string configurationKey)
    {
        var options = new LocalOssOptions { Root = Path.Combine(Path.GetTempPath(), "localoss-tests", "never-created") };
        switch (property)
        {
            case nameof(LocalOssOptions.AccessKeyId): options.AccessKeyId = ""; break;
            case nameof(LocalOssOptions.AccessKeySecret): options.AccessKeySecret = ""; break;
            case nameof(LocalOssOptions.Root): options.Root = " "; break;
            case nameof(LocalOssOptions.Region): options.Region = "oss-cn-hangzhou"; break;
            case nameof(LocalOssOptions.AdditionalCredentials): options.AdditionalCredentials.Add(new LocalOssCredential { AccessKeyId = "second" }); break;
            case nameof(LocalOssOptions.VirtualHostDomains): options.VirtualHostDomains.Add("not a domain"); break;
        }

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => LocalOssHost.StartAsync(options, cancellationToken: Cancellation));

        Assert.Contains(configurationKey, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Standalone_server_refuses_an_invalid_setting_naming_the_key()
    {
        var (exitCode, output) = await RunStandaloneUntilExitAsync("--urls", "http://127.0.0.1:0", "--LocalOss:Region=oss-cn-hangzhou");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("LocalOss:Region", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Standalone_server_serves_signed_requests_with_command_line_settings()
    {
        var root = Path.Combine(Path.GetTempPath(), "localoss-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, TestServer.Bucket));
        using var process = StartStandalone(
            "--urls", "http://127.0.0.1:0",
            $"--LocalOss:Root={root}",
            $"--LocalOss:AccessKeyId={TestServer.Credentials.AccessKeyId}",
            $"--LocalOss:AccessKeySecret={TestServer.Credentials.AccessKeySecret}",
            "--LocalOss:Region=cn-hangzhou");
        try
        {
            var origin = await ReadListeningAddressAsync(process);
            var endpoint = new Gateway.Oss.OssEndpoint(origin, TestServer.Bucket, TestServer.Region, Gateway.Oss.OssAddressingStyle.Path);
            var request = new HttpRequestMessage(HttpMethod.Get, endpoint.BuildObjectUri("missing.txt"));
            new Gateway.Oss.OssV4Signer(endpoint, new Gateway.Oss.StaticCredentialsProvider(TestServer.Credentials), TimeProvider.System).SignRequest(request, "missing.txt");
            using var http = new HttpClient();

            using var response = await http.SendAsync(request, Cancellation);

            await OssErrorXml.ReadAsync(response, HttpStatusCode.NotFound, "NoSuchKey");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Directory.Delete(root, recursive: true);
        }
    }

    private static Process StartStandalone(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "LocalOss.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
    }

    private static async Task<(int ExitCode, string Output)> RunStandaloneUntilExitAsync(params string[] arguments)
    {
        using var process = StartStandalone(arguments);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static async Task<Uri> ReadListeningAddressAsync(Process process)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        const string marker = "Now listening on: ";
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            var index = line.IndexOf(marker, StringComparison.Ordinal);
            if (index >= 0)
            {
                return new Uri(line[(index + marker.Length)..].Trim());
            }
        }

        throw new InvalidOperationException("The standalone server exited before it listened: " + await process.StandardError.ReadToEndAsync(Cancellation));
    }
}
