using System.Net;
using System.Net.Http.Json;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Hosting;

/// <summary>With nothing configured the gateway runs the demo: LocalOss, the embedded store, a sample link.</summary>
public sealed class DemoModeTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Unconfigured_gateway_serves_the_sample_link()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-demo-").FullName;
        try
        {
            await using var gateway = await GatewayInstance.StartAsync(new Dictionary<string, string?> { ["Gateway:DataDirectory"] = directory });

            using var response = await gateway.Client.GetAsync("/welcome", Cancel);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("Hello from Gateway!", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
            Assert.Equal("hello-gateway.txt", response.Content.Headers.ContentDisposition?.FileNameStar);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Demo_admin_key_is_refused_when_wrong_and_the_api_requires_it()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-demo-").FullName;
        try
        {
            await using var gateway = await GatewayInstance.StartAsync(new Dictionary<string, string?> { ["Gateway:DataDirectory"] = directory });
            using var anonymous = gateway.CreateClient();

            using var response = await anonymous.PostAsJsonAsync("/api/v1/links", new { bucket = "demo", key = "samples/hello-gateway.txt" }, Cancel);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
