using System.Text;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.FunctionalTests.Telemetry;

namespace Gateway.FunctionalTests.Hardening;

/// <summary>What the HTTP fuzz run found, each kept as a plain test.</summary>
public sealed class FuzzFindingsTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>HttpClient refuses to send a header value with non-ASCII text, so forwarding failed: 502 and a warning.</summary>
    [Theory]
    [InlineData("If-Match", "\"é\"")]
    [InlineData("Range", "bytes=\u0661-\u0662")]
    [InlineData("If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT\u00A0")]
    public async Task A_forwarded_header_with_non_ascii_text_is_a_400_and_uses_up_nothing(string name, string value)
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        await env.PutObjectAsync("a.bin", new byte[100]);
        var code = await env.CreateLinkAsync("a.bin", new { maxDownloads = 1 });

        var status = await RawHttpClient.SendAsync(env.Gateway.BaseAddress, RawHttpClient.Build("GET", $"/{code}", [(name, value)]), TimeSpan.FromSeconds(30), Cancel);

        Assert.Equal(400, status);
        Assert.Equal(0, (await env.GetLinkAsync(code)).GetProperty("usedDownloads").GetInt64());
    }

    /// <summary>Kestrel's "Request body too large" escaped the admin endpoints and was logged as an unhandled exception.</summary>
    [Fact]
    public async Task An_admin_body_over_the_limit_is_a_413_problem_and_logs_no_error()
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        var logs = new LogLevelCounter();
        var settings = GatewayTestEnvironment.GatewaySettings(env.Directory, env.Store.ConnectionString, env.Oss.BaseAddress);
        settings["Logging:Console:LogLevel:Default"] = "None";
        settings["Gateway:Admin:ApiKeys:admin:Scopes:4"] = "webhooks";
        await using var gateway = await ObservedGateway.StartAsync(settings, app => app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs));
        var body = Encoding.UTF8.GetBytes($"{{\"bucket\":\"media\",\"key\":\"{new string('k', 2 * 1024 * 1024)}\"}}");

        foreach (var (method, path) in new[] { ("POST", "/api/v1/links"), ("POST", "/api/v1/presign"), ("POST", "/api/v1/webhooks") })
        {
            var request = RawHttpClient.Build(method, path, [("Authorization", $"Bearer {GatewayTestEnvironment.AdminKey}"), ("Content-Type", "application/json")], body);
            Assert.Equal(413, await RawHttpClient.SendAsync(gateway.BaseAddress, request, TimeSpan.FromSeconds(30), Cancel));
        }

        Assert.True(logs.ErrorCount == 0, string.Join("\n", logs.Errors));
    }
}
