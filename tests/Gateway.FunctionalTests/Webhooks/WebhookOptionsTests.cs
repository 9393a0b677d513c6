using Gateway.FunctionalTests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gateway.FunctionalTests.Webhooks;

public sealed class WebhookOptionsTests
{
    [Fact]
    public async Task Invalid_webhook_settings_stop_the_start_naming_the_keys()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-webhook-options-").FullName;
        try
        {
            var settings = GatewayTestEnvironment.GatewaySettings(directory, "127.0.0.1:1", new Uri("http://127.0.0.1:9"));
            settings["Gateway:Webhooks:AttemptTimeout"] = "00:00:30";
            settings["Gateway:Webhooks:Lease"] = "00:00:20";
            settings["Gateway:Webhooks:QueueCapacity"] = "0";
            settings["Gateway:Webhooks:RetryBackoff:0"] = "-00:00:01";

            var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayInstance.StartAsync(settings));
            Assert.Contains("Gateway:Webhooks:Lease", error.Message, StringComparison.Ordinal);
            Assert.Contains("Gateway:Webhooks:QueueCapacity", error.Message, StringComparison.Ordinal);
            Assert.Contains("Gateway:Webhooks:RetryBackoff", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
