using Gateway.FunctionalTests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gateway.FunctionalTests.Hosting;

public sealed class ConfigurationTests
{
    [Fact]
    public async Task Invalid_configuration_stops_the_start_naming_the_key()
    {
        var settings = GatewayTestEnvironment.GatewaySettings(Path.GetTempPath(), "127.0.0.1:1", new Uri("http://127.0.0.1:9"));
        settings[$"Gateway:Buckets:{GatewayTestEnvironment.BucketAlias}:Region"] = "";
        settings[$"Gateway:Buckets:{GatewayTestEnvironment.BucketAlias}:Bucket"] = "UPPER_case";

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayInstance.StartAsync(settings));

        Assert.Contains("Gateway:Buckets:media:Region", error.Message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Buckets:media:Bucket", error.Message, StringComparison.Ordinal);
    }
}
