using System.Net;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Policy;

public sealed class ValidityWindowTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _env = await GatewayTestEnvironment.StartAsync();
        await _env.PutObjectAsync("window.txt", "in the window"u8.ToArray());
    }

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task A_link_before_notBefore_gets_410_saying_when_it_opens()
    {
        var opens = DateTimeOffset.UtcNow.AddHours(2);
        var code = await _env.CreateLinkAsync("window.txt", new { notBefore = opens });

        using var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);

        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        Assert.Contains("not available yet", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal("scheduled", (await _env.GetLinkAsync(code)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_link_past_expiresAt_gets_410_expired()
    {
        var code = await _env.CreateLinkAsync("window.txt", new { expiresAt = DateTimeOffset.UtcNow.AddSeconds(1.5) });
        Assert.Equal("in the window", await _env.Gateway.Client.GetStringAsync($"/{code}", Cancel));

        await Task.Delay(TimeSpan.FromSeconds(2), Cancel);
        using var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);

        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        Assert.Contains("expired", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal("expired", (await _env.GetLinkAsync(code)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Expiry_is_mirrored_in_the_store_with_a_grace_period()
    {
        var expires = DateTimeOffset.UtcNow.AddDays(1);
        var code = await _env.CreateLinkAsync("window.txt", new { expiresAt = expires });

        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_env.Store.ConnectionString);
        var linkTtl = await redis.GetDatabase().KeyTimeToLiveAsync($"gw:{{{code}}}:link");
        var countersTtl = await redis.GetDatabase().KeyTimeToLiveAsync($"gw:{{{code}}}:stats");

        // Expiry plus the default retention of 30 days, so counters stay readable after the link closes.
        Assert.NotNull(linkTtl);
        Assert.InRange(linkTtl.Value, TimeSpan.FromDays(30.9), TimeSpan.FromDays(31.1));
        Assert.NotNull(countersTtl);
        Assert.InRange(countersTtl.Value, TimeSpan.FromDays(30.9), TimeSpan.FromDays(31.1));
    }

    [Fact]
    public async Task Expiry_in_the_past_is_refused_at_creation()
    {
        using var response = await _env.Admin.PostAsync(
            "/api/v1/links",
            new StringContent("""{"bucket":"media","key":"window.txt","expiresAt":"2020-01-01T00:00:00Z"}""", System.Text.Encoding.UTF8, "application/json"),
            Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("expiresAt", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }
}
