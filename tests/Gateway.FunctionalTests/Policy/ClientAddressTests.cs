using System.Net;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Policy;

/// <summary>allowedCidrs, and X-Forwarded-For believed only from trusted proxies.</summary>
public sealed class ClientAddressTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(new[] { "127.0.0.0/8" }, HttpStatusCode.OK)]
    [InlineData(new[] { "10.0.0.0/8", "127.0.0.1" }, HttpStatusCode.OK)]
    [InlineData(new[] { "::1/128", "127.0.0.1/32" }, HttpStatusCode.OK)]
    [InlineData(new[] { "10.0.0.0/8" }, HttpStatusCode.Forbidden)]
    [InlineData(new[] { "2001:db8::/32" }, HttpStatusCode.Forbidden)]
    public async Task Allow_list_admits_only_its_networks(string[] cidrs, HttpStatusCode expected)
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        await env.PutObjectAsync("ip.txt", "x"u8.ToArray());
        var code = await env.CreateLinkAsync("ip.txt", new { allowedCidrs = cidrs });

        using var response = await env.Gateway.Client.GetAsync($"/{code}", Cancel);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task A_spoofed_X_Forwarded_For_from_an_untrusted_peer_changes_nothing()
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        await env.PutObjectAsync("ip.txt", "x"u8.ToArray());
        var onlyOffice = await env.CreateLinkAsync("ip.txt", new { allowedCidrs = new[] { "203.0.113.0/24" } });
        var onlyLoopback = await env.CreateLinkAsync("ip.txt", new { allowedCidrs = new[] { "127.0.0.0/8" } });

        Assert.Equal(HttpStatusCode.Forbidden, await GetWithForwardedForAsync(env.Gateway, onlyOffice, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.OK, await GetWithForwardedForAsync(env.Gateway, onlyLoopback, "203.0.113.7"));
    }

    [Fact]
    public async Task X_Forwarded_For_from_a_trusted_proxy_names_the_client()
    {
        await using var env = await GatewayTestEnvironment.StartAsync(settings => settings["Gateway:TrustedProxies:0"] = "127.0.0.1");
        await env.PutObjectAsync("ip.txt", "x"u8.ToArray());
        var onlyOffice = await env.CreateLinkAsync("ip.txt", new { allowedCidrs = new[] { "203.0.113.0/24" } });
        var onlyLoopback = await env.CreateLinkAsync("ip.txt", new { allowedCidrs = new[] { "127.0.0.0/8" } });

        Assert.Equal(HttpStatusCode.OK, await GetWithForwardedForAsync(env.Gateway, onlyOffice, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.Forbidden, await GetWithForwardedForAsync(env.Gateway, onlyLoopback, "198.51.100.1"));
    }

    [Fact]
    public async Task Invalid_networks_are_refused_at_creation()
    {
        await using var env = await GatewayTestEnvironment.StartAsync();

        using var response = await env.Admin.PostAsync(
            "/api/v1/links",
            new StringContent("""{"bucket":"media","key":"ip.txt","allowedCidrs":["10.0.0.0/8","999.1.1.1/33"]}""", System.Text.Encoding.UTF8, "application/json"),
            Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("allowedCidrs[1]", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> GetWithForwardedForAsync(GatewayInstance gateway, string code, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        using var response = await gateway.Client.SendAsync(request, Cancel);
        return response.StatusCode;
    }
}
