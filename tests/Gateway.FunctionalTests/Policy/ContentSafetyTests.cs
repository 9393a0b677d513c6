using System.Net;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Policy;

/// <summary>Active content is never rendered as-is from the gateway's origin.</summary>
public sealed class ContentSafetyTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _env = await GatewayTestEnvironment.StartAsync();
        await _env.PutObjectAsync("page.html", "<script>alert(document.cookie)</script>"u8.ToArray(), "text/html");
        await _env.PutObjectAsync("image.svg", "<svg xmlns='http://www.w3.org/2000/svg'><script>1</script></svg>"u8.ToArray(), "image/svg+xml");
        await _env.PutObjectAsync("photo.png", new byte[] { 0x89, 0x50, 0x4E, 0x47 }, "image/png");
    }

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Theory]
    [InlineData("page.html")]
    [InlineData("image.svg")]
    public async Task Inline_active_content_is_sandboxed(string key)
    {
        var code = await _env.CreateLinkAsync(key, new { disposition = "inline" });

        using var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);

        Assert.Equal("sandbox", string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task A_content_type_override_to_html_is_sandboxed_too()
    {
        var code = await _env.CreateLinkAsync("photo.png", new { disposition = "inline", contentType = "text/html" });

        using var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.Contains("Content-Security-Policy"));
    }

    [Fact]
    public async Task Active_content_as_attachment_is_a_download()
    {
        var code = await _env.CreateLinkAsync("page.html");

        using var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);

        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task Inline_images_are_shown_without_a_sandbox()
    {
        var code = await _env.CreateLinkAsync("photo.png", new { disposition = "inline" });

        using var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);

        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.False(response.Headers.Contains("Content-Security-Policy"));
    }
}
