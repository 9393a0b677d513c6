using System.Net;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Telemetry;

/// <summary>Previews show up in the Prometheus scrape as their own counter, and never as downloads.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class PreviewMetricsTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _env = await GatewayTestEnvironment.StartAsync();

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task Previews_are_counted_per_bucket_and_are_no_downloads()
    {
        await _env.PutObjectAsync("a.bin", new byte[100]);
        var code = await _env.CreateLinkAsync("a.bin", new { maxDownloads = 1 });
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
            request.Headers.TryAddWithoutValidation("User-Agent", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)");
            using var response = await _env.Gateway.Client.SendAsync(request, Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var scrape = PrometheusScrape.Parse(await _env.Gateway.Client.GetStringAsync("/metrics", Cancel));

        Assert.Equal(2, scrape.Sum("gateway_previews_total", l => l.GetValueOrDefault("gateway_bucket") == GatewayTestEnvironment.BucketAlias));
        Assert.Equal(0, scrape.Sum("gateway_downloads_total"));
    }
}
