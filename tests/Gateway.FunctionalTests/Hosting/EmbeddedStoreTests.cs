using System.Net;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Hosting;

/// <summary>Without ConnectionStrings:Redis the gateway hosts Garnet itself, persisted under the data directory.</summary>
public sealed class EmbeddedStoreTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Links_survive_a_restart_on_the_embedded_store()
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        await env.PutObjectAsync("persist.txt", "persisted"u8.ToArray());
        var dataDirectory = Path.Combine(env.Directory, "embedded");
        var settings = GatewayTestEnvironment.GatewaySettings(env.Directory, redis: null, env.Oss.BaseAddress);
        settings["Gateway:DataDirectory"] = dataDirectory;

        string code;
        await using (var first = await GatewayInstance.StartAsync(settings))
        {
            using var admin = first.CreateClient(GatewayTestEnvironment.AdminKey);
            using var created = await admin.PostAsync("/api/v1/links", JsonContent("""{"bucket":"media","key":"persist.txt","code":"persist-me"}"""), Cancel);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            code = "persist-me";
            Assert.Equal("persisted", await first.Client.GetStringAsync($"/{code}", Cancel));
        }

        Assert.True(Directory.Exists(Path.Combine(dataDirectory, "store")));
        await using var second = await GatewayInstance.StartAsync(settings);

        Assert.Equal("persisted", await second.Client.GetStringAsync($"/{code}", Cancel));
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
