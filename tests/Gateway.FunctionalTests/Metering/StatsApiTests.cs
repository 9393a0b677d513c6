using System.Net;
using System.Text.Json;
using Gateway.FunctionalTests.Infrastructure;
using Microsoft.Extensions.Options;
using static Gateway.FunctionalTests.Metering.StatsRequests;

namespace Gateway.FunctionalTests.Metering;

/// <summary>The contract of the stats endpoints: scope, errors, caching, OpenAPI and the retention window.</summary>
public sealed class StatsApiTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _env = await GatewayTestEnvironment.StartAsync(settings => settings["Gateway:Metering:RetentionDays"] = "7");

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    public static TheoryData<string> Endpoints => ["/api/v1/links/{code}/stats", "/api/v1/stats/buckets", "/api/v1/stats/top"];

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Stats_need_a_key_with_the_stats_read_scope(string endpoint)
    {
        var path = endpoint.Replace("{code}", await _env.CreateLinkAsync("x.bin"), StringComparison.Ordinal);
        using var anonymous = _env.Gateway.CreateClient();
        using var reader = _env.Gateway.CreateClient(GatewayTestEnvironment.ReaderKey);

        using var withoutKey = await anonymous.GetAsync(path, Cancel);
        using var withoutScope = await reader.GetAsync(path, Cancel);
        using var withScope = await _env.Admin.GetAsync(path, Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withoutScope.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withScope.StatusCode);
        Assert.Equal("no-store", withScope.Headers.CacheControl?.ToString());
        Assert.Equal("application/json", withScope.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("nosuchcode")]
    [InlineData("bad%20code")]
    public async Task Stats_of_an_unknown_link_are_404(string code)
    {
        using var response = await _env.Admin.GetAsync($"/api/v1/links/{code}/stats", Cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    public static TheoryData<string, string> BadQueries => new()
    {
        { "/api/v1/links/{code}/stats?from=2026-13-01", "from" },
        { "/api/v1/links/{code}/stats?from=yesterday", "from" },
        { "/api/v1/links/{code}/stats?to={tomorrow}", "to" },
        { "/api/v1/links/{code}/stats?from={today}&to={yesterday}", "from" },
        { "/api/v1/links/{code}/stats?from={7 days ago}", "from" },
        { "/api/v1/stats/buckets?day=28.11.2026", "day" },
        { "/api/v1/stats/top?day={tomorrow}", "day" },
        { "/api/v1/stats/top?by=size", "by" },
        { "/api/v1/stats/top?limit=0", "limit" },
        { "/api/v1/stats/top?limit=1001", "limit" },
        { "/api/v1/stats/top?limit=ten", "limit" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task A_bad_parameter_is_a_400_problem_that_names_it(string query, string parameter)
    {
        var today = Today;
        var path = query
            .Replace("{code}", await _env.CreateLinkAsync("x.bin"), StringComparison.Ordinal)
            .Replace("{today}", Day(today), StringComparison.Ordinal)
            .Replace("{tomorrow}", Day(today.AddDays(1)), StringComparison.Ordinal)
            .Replace("{yesterday}", Day(today.AddDays(-1)), StringComparison.Ordinal)
            .Replace("{7 days ago}", Day(today.AddDays(-7)), StringComparison.Ordinal);

        using var response = await _env.Admin.GetAsync(path, Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        var errors = problem.GetProperty("errors");
        Assert.Equal([parameter], errors.EnumerateObject().Select(e => e.Name));
        Assert.Contains(parameter, errors.GetProperty(parameter)[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_range_reaches_back_exactly_the_retention_window()
    {
        var code = await _env.CreateLinkAsync("x.bin");
        var oldest = Today.AddDays(-6);

        var stats = await GetJsonAsync(_env.Admin, $"/api/v1/links/{code}/stats?from={Day(oldest)}");
        var byDefault = await GetJsonAsync(_env.Admin, $"/api/v1/links/{code}/stats");
        using var tooOld = await _env.Admin.GetAsync($"/api/v1/links/{code}/stats?from={Day(oldest.AddDays(-1))}", Cancel);

        Assert.Equal(7, stats.GetProperty("days").GetArrayLength());
        Assert.Equal(Day(oldest), byDefault.GetProperty("from").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, tooOld.StatusCode);
        Assert.Contains("Gateway:Metering:RetentionDays", await tooOld.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configured_buckets_are_listed_before_their_first_download()
    {
        var buckets = await GetJsonAsync(_env.Admin, "/api/v1/stats/buckets");

        var media = Assert.Single(buckets.GetProperty("buckets").EnumerateArray());
        Assert.Equal(GatewayTestEnvironment.BucketAlias, media.GetProperty("bucket").GetString());
        Assert.Equal((0, 0, 0, 0), media.Counts());
        Assert.Equal(JsonValueKind.Null, media.GetProperty("lastDownloadAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, buckets.GetProperty("day").ValueKind);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_stats_endpoints()
    {
        using var response = await _env.Gateway.Client.GetAsync("/openapi/v1.json", Cancel);
        var paths = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("paths");

        foreach (var (path, parameters) in new[]
        {
            ("/api/v1/links/{code}/stats", new[] { "code", "from", "to" }),
            ("/api/v1/stats/buckets", ["day"]),
            ("/api/v1/stats/top", ["day", "by", "limit"]),
        })
        {
            var get = paths.GetProperty(path).GetProperty("get");
            Assert.Equal(parameters, get.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
            var ok = get.GetProperty("responses").GetProperty("200").GetProperty("content");
            Assert.True(ok.TryGetProperty("application/json", out _), $"{path}: 200 as JSON");
            Assert.True(ok.TryGetProperty("text/csv", out _), $"{path}: 200 as CSV");
            Assert.True(get.GetProperty("responses").TryGetProperty("400", out _), $"{path}: 400");
        }
    }

    [Theory]
    [InlineData("Gateway:Metering:RetentionDays", "0")]
    [InlineData("Gateway:Metering:FlushInterval", "00:00:05")]
    [InlineData("Gateway:Metering:MaxPendingEntries", "10")]
    [InlineData("Gateway:Metering:TopLinksPerDay", "1")]
    public async Task A_bad_metering_setting_stops_the_start_and_names_its_key(string key, string value)
    {
        var settings = GatewayTestEnvironment.GatewaySettings(_env.Directory, _env.Store.ConnectionString, _env.Oss.BaseAddress);
        settings[key] = value;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayInstance.StartAsync(settings));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }
}
