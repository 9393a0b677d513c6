using System.Net;
using System.Text;
using System.Web;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Policy;

/// <summary>mode=redirect: a 302 to a freshly presigned V4 URL, revocable at every click.</summary>
public sealed class RedirectModeTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _env = await GatewayTestEnvironment.StartAsync();
        await _env.PutObjectAsync("docs/redirected.txt", "served by OSS itself"u8.ToArray(), "text/plain");
    }

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task A_click_gets_a_302_to_a_presigned_url_that_LocalOss_serves()
    {
        var code = await _env.CreateLinkAsync("docs/redirected.txt", new { mode = "redirect", filename = "Bericht Ü.txt" });

        using var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var location = response.Headers.Location!;
        Assert.StartsWith(_env.Oss.BaseAddress.ToString(), location.ToString(), StringComparison.Ordinal);
        var query = HttpUtility.ParseQueryString(location.Query);
        Assert.Equal("OSS4-HMAC-SHA256", query["x-oss-signature-version"]);
        Assert.Equal("60", query["x-oss-expires"]);
        Assert.Contains("filename*=UTF-8''Bericht%20%C3%9C.txt", query["response-content-disposition"], StringComparison.Ordinal);

        using var followed = await new HttpClient().GetAsync(location, Cancel);
        Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
        Assert.Equal("served by OSS itself", await followed.Content.ReadAsStringAsync(Cancel));
        Assert.Equal("Bericht Ü.txt", followed.Content.Headers.ContentDisposition?.FileNameStar);
    }

    [Fact]
    public async Task Head_gets_a_url_presigned_for_head()
    {
        var code = await _env.CreateLinkAsync("docs/redirected.txt", new { mode = "redirect" });

        using var response = await _env.Gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/{code}"), Cancel);
        using var followed = await new HttpClient().SendAsync(new HttpRequestMessage(HttpMethod.Head, response.Headers.Location), Cancel);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
    }

    [Fact]
    public async Task A_revoked_redirect_link_gets_410_at_the_next_click()
    {
        var code = await _env.CreateLinkAsync("docs/redirected.txt", new { mode = "redirect" });
        Assert.Equal(HttpStatusCode.Found, (await _env.Gateway.Client.GetAsync($"/{code}", Cancel)).StatusCode);

        (await _env.Admin.PostAsync($"/api/v1/links/{code}/revoke", null, Cancel)).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Gone, (await _env.Gateway.Client.GetAsync($"/{code}", Cancel)).StatusCode);
    }

    [Fact]
    public async Task Redirect_urls_carry_version_content_type_traffic_limit_and_source_ip()
    {
        var code = await _env.CreateLinkAsync("docs/redirected.txt", new
        {
            mode = "redirect",
            versionId = "null",
            contentType = "application/octet-stream",
            trafficLimit = 819200,
            bindClientIp = true,
        });

        using var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);
        var query = HttpUtility.ParseQueryString(response.Headers.Location!.Query);

        Assert.Equal("null", query["versionId"]);
        Assert.Equal("application/octet-stream", query["response-content-type"]);
        Assert.Equal("819200", query["x-oss-traffic-limit"]);
        Assert.Equal("127.0.0.1", query["x-oss-ac-source-ip"]);
        Assert.Equal("32", query["x-oss-ac-subnet-mask"]);
        using var followed = await new HttpClient().GetAsync(response.Headers.Location, Cancel);
        Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
        Assert.Equal(Encoding.UTF8.GetBytes("served by OSS itself"), await followed.Content.ReadAsByteArrayAsync(Cancel));
    }

    [Fact]
    public async Task A_limited_redirect_link_counts_clicks()
    {
        var code = await _env.CreateLinkAsync("docs/redirected.txt", new { mode = "redirect", maxDownloads = 1 });

        using var first = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        first.Headers.UserAgent.ParseAdd("one/1.0");
        using var second = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        second.Headers.UserAgent.ParseAdd("two/1.0");

        Assert.Equal(HttpStatusCode.Found, (await _env.Gateway.Client.SendAsync(first, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await _env.Gateway.Client.SendAsync(second, Cancel)).StatusCode);
    }
}
