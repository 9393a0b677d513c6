using System.Net;
using System.Net.Http.Headers;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Policy;

/// <summary>pinEtag: a changed object is never served, and a resume never mixes two versions.</summary>
public sealed class PinningTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _env = await GatewayTestEnvironment.StartAsync();

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task A_pinned_link_serves_the_object_until_it_changes_then_410()
    {
        await _env.PutObjectAsync("pinned.bin", new byte[4096]);
        var code = await _env.CreateLinkAsync("pinned.bin", new { pinEtag = true });
        var link = await _env.GetLinkAsync(code);
        Assert.StartsWith("\"", link.GetProperty("pinnedEtag").GetString(), StringComparison.Ordinal);

        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}"))
        {
            request.Headers.Range = new RangeHeaderValue(0, 1023);
            Assert.Equal(HttpStatusCode.PartialContent, (await _env.Gateway.Client.SendAsync(request, Cancel)).StatusCode);
        }

        await _env.PutObjectAsync("pinned.bin", new byte[] { 1, 2, 3 });

        using var resume = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        resume.Headers.Range = new RangeHeaderValue(1024, null);
        using var response = await _env.Gateway.Client.SendAsync(resume, Cancel);
        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        Assert.Contains("changed", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pinned_redirect_link_checks_the_pin_at_the_click()
    {
        await _env.PutObjectAsync("pinned-redirect.bin", new byte[16]);
        var code = await _env.CreateLinkAsync("pinned-redirect.bin", new { pinEtag = true, mode = "redirect" });
        Assert.Equal(HttpStatusCode.Found, (await _env.Gateway.Client.GetAsync($"/{code}", Cancel)).StatusCode);

        await _env.PutObjectAsync("pinned-redirect.bin", new byte[17]);

        Assert.Equal(HttpStatusCode.Gone, (await _env.Gateway.Client.GetAsync($"/{code}", Cancel)).StatusCode);
    }

    [Fact]
    public async Task Pinning_a_missing_object_is_refused_at_creation()
    {
        using var response = await _env.Admin.PostAsync(
            "/api/v1/links",
            new StringContent("""{"bucket":"media","key":"nope.bin","pinEtag":true}""", System.Text.Encoding.UTF8, "application/json"),
            Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("pinEtag", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }
}
