using System.Diagnostics;
using System.Net;
using Gateway.FunctionalTests.Infrastructure;
using LocalOss;

namespace Gateway.FunctionalTests.Policy;

/// <summary>Links pinned to an object version, and per-link bandwidth caps that OSS enforces.</summary>
public sealed class VersionAndBandwidthTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _env = await GatewayTestEnvironment.StartAsync();

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task A_link_pinned_to_a_version_keeps_serving_it_after_the_object_is_overwritten()
    {
        _env.Oss.SetBucketVersioning(GatewayTestEnvironment.BucketName, LocalOssVersioningStatus.Enabled);
        var first = await _env.Oss.PutObjectVersionAsync(GatewayTestEnvironment.BucketName, "versioned.txt", new MemoryStream("version one"u8.ToArray()), "text/plain", Cancel);
        await _env.Oss.PutObjectVersionAsync(GatewayTestEnvironment.BucketName, "versioned.txt", new MemoryStream("version two"u8.ToArray()), "text/plain", Cancel);
        var pinned = await _env.CreateLinkAsync("versioned.txt", new { versionId = first.VersionId });
        var latest = await _env.CreateLinkAsync("versioned.txt");

        Assert.Equal("version one", await _env.Gateway.Client.GetStringAsync($"/{pinned}", Cancel));
        Assert.Equal("version two", await _env.Gateway.Client.GetStringAsync($"/{latest}", Cancel));
    }

    [Fact]
    public async Task A_redirect_link_pinned_to_a_version_redirects_to_that_version()
    {
        _env.Oss.SetBucketVersioning(GatewayTestEnvironment.BucketName, LocalOssVersioningStatus.Enabled);
        var first = await _env.Oss.PutObjectVersionAsync(GatewayTestEnvironment.BucketName, "v-redirect.txt", new MemoryStream("old"u8.ToArray()), "text/plain", Cancel);
        await _env.Oss.PutObjectVersionAsync(GatewayTestEnvironment.BucketName, "v-redirect.txt", new MemoryStream("new"u8.ToArray()), "text/plain", Cancel);
        var code = await _env.CreateLinkAsync("v-redirect.txt", new { versionId = first.VersionId, mode = "redirect" });

        using var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);
        using var followed = await new HttpClient().GetAsync(response.Headers.Location, Cancel);

        Assert.Equal("old", await followed.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task A_deleted_version_behind_a_pinned_link_is_404()
    {
        _env.Oss.SetBucketVersioning(GatewayTestEnvironment.BucketName, LocalOssVersioningStatus.Enabled);
        var code = await _env.CreateLinkAsync("v-missing.txt", new { versionId = "CAEQNhiBgMDJgZCA0BYiIDc4MGZjZGI2OTBjOTRmNTE5NmU5NmFmZjUyYzZmMjE2" });

        using var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("proxy")]
    [InlineData("redirect")]
    public async Task The_traffic_limit_caps_the_download_rate(string mode)
    {
        // 300 KiB at 819200 bit/s (100 KiB/s) takes about 3 s; unthrottled it takes milliseconds.
        await _env.PutObjectAsync("capped.bin", new byte[300 * 1024]);
        var code = await _env.CreateLinkAsync("capped.bin", new { trafficLimit = 819200, mode });
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true }) { BaseAddress = _env.Gateway.BaseAddress };

        var watch = Stopwatch.StartNew();
        var bytes = await client.GetByteArrayAsync($"/{code}", Cancel);
        watch.Stop();

        Assert.Equal(300 * 1024, bytes.Length);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(2.4), TimeSpan.FromSeconds(9));
    }

    [Theory]
    [InlineData(819199)]
    [InlineData(838860801)]
    public async Task Traffic_limits_outside_the_OSS_range_are_refused(long limit)
    {
        using var response = await _env.Admin.PostAsync(
            "/api/v1/links",
            new StringContent($$"""{"bucket":"media","key":"x","trafficLimit":{{limit}}}""", System.Text.Encoding.UTF8, "application/json"),
            Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("trafficLimit", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }
}
