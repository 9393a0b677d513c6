using System.Net;
using System.Text.RegularExpressions;
using Gateway.FunctionalTests.Infrastructure;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace Gateway.FunctionalTests.Admin;

/// <summary><c>GET /api/v1/links/{code}/qr.svg</c>: an SVG QR code that a reader decodes to the link's short URL.</summary>
public sealed partial class LinkQrCodeTests : IAsyncLifetime
{
    private const string StatsKey = "gwk_test_stats_qr_0123456789";
    private const string TeamKey = "gwk_test_team_qr_0123456789";

    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _env = await GatewayTestEnvironment.StartAsync(settings =>
    {
        settings["Gateway:Admin:ApiKeys:stats:Sha256"] = GatewayTestEnvironment.Sha256Hex(StatsKey);
        settings["Gateway:Admin:ApiKeys:stats:Scopes:0"] = "stats:read";
        settings["Gateway:Admin:ApiKeys:team:Sha256"] = GatewayTestEnvironment.Sha256Hex(TeamKey);
        settings["Gateway:Admin:ApiKeys:team:Scopes:0"] = "links:read";
        settings["Gateway:Admin:ApiKeys:team:KeyPrefixes:0"] = "team/";
    });

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task The_svg_decodes_to_the_short_url()
    {
        var code = await _env.CreateLinkAsync("reports/q3.pdf");
        var url = (await _env.GetLinkAsync(code)).GetProperty("url").GetString();

        using var response = await _env.Admin.GetAsync($"/api/v1/links/{code}/qr.svg", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var svg = await response.Content.ReadAsStringAsync(Cancel);
        Assert.DoesNotContain("<script", svg, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(url, Decode(svg));
    }

    [Fact]
    public async Task The_url_follows_the_public_base_url()
    {
        await using var env = await GatewayTestEnvironment.StartAsync(settings => settings["Gateway:PublicBaseUrl"] = "https://dl.example.com/");
        var code = await env.CreateLinkAsync("a.txt");

        using var response = await env.Admin.GetAsync($"/api/v1/links/{code}/qr.svg", Cancel);

        Assert.Equal($"https://dl.example.com/{code}", Decode(await response.Content.ReadAsStringAsync(Cancel)));
    }

    [Fact]
    public async Task It_is_authorized_like_reading_the_link()
    {
        var code = await _env.CreateLinkAsync("media/outside-team.txt");
        using var anonymous = _env.Gateway.CreateClient();
        using var stats = _env.Gateway.CreateClient(StatsKey);
        using var team = _env.Gateway.CreateClient(TeamKey);

        using var noKey = await anonymous.GetAsync($"/api/v1/links/{code}/qr.svg", Cancel);
        using var noScope = await stats.GetAsync($"/api/v1/links/{code}/qr.svg", Cancel);
        using var outsideScope = await team.GetAsync($"/api/v1/links/{code}/qr.svg", Cancel);
        using var missing = await _env.Admin.GetAsync("/api/v1/links/nosuchcode/qr.svg", Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, noScope.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, outsideScope.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>
    /// Rasterizes QRCoder's SVG (a viewBox of modules and one path of 1-module-high runs, "Mx yhwv1h-wz")
    /// at 4 pixels per module and reads it with ZXing, as a phone's camera would.
    /// </summary>
    private static string Decode(string svg)
    {
        var box = ViewBox().Match(svg);
        Assert.True(box.Success, "the SVG has a viewBox");
        var modules = int.Parse(box.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        const int scale = 4;
        var size = modules * scale;
        var pixels = new byte[size * size];
        Array.Fill(pixels, (byte)255);
        var runs = Run().Matches(svg);
        Assert.NotEmpty(runs);
        foreach (Match run in runs)
        {
            var x = int.Parse(run.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var y = int.Parse(run.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            var width = int.Parse(run.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
            for (var py = y * scale; py < (y + 1) * scale; py++)
            {
                Array.Fill(pixels, (byte)0, py * size + x * scale, width * scale);
            }
        }

        var source = new RGBLuminanceSource(pixels, size, size, RGBLuminanceSource.BitmapFormat.Gray8);
        // PURE_BARCODE: the image is an exact rendering, so the reader takes the grid as drawn. Without it
        // ZXing first hunts for finder patterns, and data modules that look like one made it miss about 1.5 %
        // of random codes (45 of 3000; 0 of 3000 with the hint).
        var hints = new Dictionary<DecodeHintType, object> { [DecodeHintType.PURE_BARCODE] = true };
        var result = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source)), hints);
        Assert.NotNull(result);
        return result.Text;
    }

    [GeneratedRegex("""viewBox="0 0 (\d+) \1""")]
    private static partial Regex ViewBox();

    [GeneratedRegex(@"M(\d+) (\d+)h(\d+)v1h-\d+z")]
    private static partial Regex Run();
}
