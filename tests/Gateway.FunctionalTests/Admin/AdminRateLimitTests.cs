using System.Net;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Admin;

/// <summary>The admin API is rate-limited per API key (and per client IP before authentication).</summary>
public sealed class AdminRateLimitTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _env = await GatewayTestEnvironment.StartAsync(settings =>
    {
        settings["Gateway:Abuse:Admin:Limit"] = "3";
        settings["Gateway:Abuse:Admin:Window"] = "00:01:00";
    });

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task A_key_over_its_limit_gets_429_problem_with_Retry_After_and_other_keys_do_not()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var allowed = await _env.Admin.GetAsync("/api/v1/links", Cancel);
            statuses.Add(allowed.StatusCode);
        }

        using var limited = await _env.Admin.GetAsync("/api/v1/links", Cancel);
        using var reader = _env.Gateway.CreateClient(GatewayTestEnvironment.ReaderKey);
        using var otherKey = await reader.GetAsync("/api/v1/links", Cancel);

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.InRange(limited.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Equal(429, (await AdminJson.ReadAsync(limited)).GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.OK, otherKey.StatusCode);
    }

    [Fact]
    public async Task Requests_without_a_valid_key_are_limited_per_client_address()
    {
        using var guesser = _env.Gateway.CreateClient("gwk_guess");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await guesser.GetAsync("/api/v1/links", Cancel);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Downloads_and_health_are_not_rate_limited_by_the_admin_limit()
    {
        await _env.PutObjectAsync("free.txt", "free"u8.ToArray());
        var code = await _env.CreateLinkAsync("free.txt");

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("free", await _env.Gateway.Client.GetStringAsync($"/{code}", Cancel));
            Assert.Equal(HttpStatusCode.OK, (await _env.Gateway.Client.GetAsync("/healthz", Cancel)).StatusCode);
        }
    }
}
