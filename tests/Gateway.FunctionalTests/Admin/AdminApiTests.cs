using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Admin;

public sealed class AdminApiTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _env = await GatewayTestEnvironment.StartAsync();

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task Create_returns_201_with_the_link_and_its_url()
    {
        using var response = await _env.Admin.PostAsJsonAsync("/api/v1/links", new { bucket = "media", key = "a/b.txt", tags = new[] { "q3", "reports" }, note = "for the board" }, Cancel);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var link = await ReadJsonAsync(response);
        var code = link.GetProperty("code").GetString()!;
        Assert.Matches("^[0-9A-Za-z]{10}$", code);
        Assert.Equal($"{_env.Gateway.BaseAddress.ToString().TrimEnd('/')}/{code}", link.GetProperty("url").GetString());
        Assert.Equal($"/api/v1/links/{code}", response.Headers.Location?.ToString());
        Assert.Equal("active", link.GetProperty("state").GetString());
        Assert.Equal("admin", link.GetProperty("owner").GetString());
        Assert.Equal(["q3", "reports"], link.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Random_codes_are_unique()
    {
        var codes = new HashSet<string>();
        for (var i = 0; i < 50; i++)
        {
            codes.Add(await _env.CreateLinkAsync("k.txt"));
        }

        Assert.Equal(50, codes.Count);
    }

    [Fact]
    public async Task Vanity_code_is_created_once_and_then_conflicts()
    {
        using var first = await _env.Admin.PostAsJsonAsync("/api/v1/links", new { bucket = "media", key = "x", code = "spring-sale_2025" }, Cancel);
        using var second = await _env.Admin.PostAsJsonAsync("/api/v1/links", new { bucket = "media", key = "y", code = "spring-sale_2025" }, Cancel);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("x", (await _env.GetLinkAsync("spring-sale_2025")).GetProperty("key").GetString());
    }

    [Fact]
    public async Task Concurrent_creators_of_one_vanity_code_yield_exactly_one_winner()
    {
        var attempts = Enumerable.Range(0, 20).Select(i =>
            _env.Admin.PostAsJsonAsync("/api/v1/links", new { bucket = "media", key = $"k{i}", code = "race-me" }, Cancel));
        var responses = await Task.WhenAll(attempts);

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task Request_without_a_key_gets_401()
    {
        using var client = _env.Gateway.CreateClient();

        using var response = await client.GetAsync("/api/v1/links/abcdefghij", Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("Bearer wrong-key")]
    [InlineData("Basic YWRtaW46YWRtaW4=")]
    [InlineData("Bearer ")]
    public async Task Request_with_an_invalid_key_gets_401(string authorization)
    {
        using var client = _env.Gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/links/abcdefghij");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var response = await client.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Key_without_the_scope_gets_403()
    {
        using var reader = _env.Gateway.CreateClient(GatewayTestEnvironment.ReaderKey);
        var code = await _env.CreateLinkAsync("r.txt");

        using var create = await reader.PostAsJsonAsync("/api/v1/links", new { bucket = "media", key = "x" }, Cancel);
        using var revoke = await reader.PostAsync($"/api/v1/links/{code}/revoke", null, Cancel);
        using var delete = await reader.DeleteAsync($"/api/v1/links/{code}", Cancel);
        using var read = await reader.GetAsync($"/api/v1/links/{code}", Cancel);

        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("active", (await _env.GetLinkAsync(code)).GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("""{"bucket":"media"}""", "key")]
    [InlineData("""{"bucket":"media","key":"/leading-slash"}""", "key")]
    [InlineData("""{"bucket":"media","key":"\\backslash"}""", "key")]
    [InlineData("""{"bucket":"media","key":"a\u0000b"}""", "key")]
    [InlineData("""{"bucket":"nope","key":"a"}""", "bucket")]
    [InlineData("""{"key":"a"}""", "bucket")]
    [InlineData("""{"bucket":"media","key":"a","code":"x"}""", "code")]
    [InlineData("""{"bucket":"media","key":"a","code":"api"}""", "code")]
    [InlineData("""{"bucket":"media","key":"a","code":"bad code!"}""", "code")]
    [InlineData("""{"bucket":"media","key":"a","disposition":"download"}""", "disposition")]
    [InlineData("""{"bucket":"media","key":"a","contentType":"not a type"}""", "contentType")]
    [InlineData("""{"bucket":"media","key":"a","filename":"../etc/passwd"}""", "filename")]
    [InlineData("""{"bucket":"media","key":"a","mode":"teleport"}""", "mode")]
    [InlineData("""{"bucket":"media","key":"a","tags":["ok","not ok"]}""", "tags[1]")]
    [InlineData("""{"bucket":"media","key":"a","expiresAtt":"2030-01-01T00:00:00Z"}""", "expiresAtt")]
    [InlineData("""{"bucket":"media","key":5}""", "key")]
    public async Task Invalid_create_payload_gets_400_problem_naming_the_field(string json, string field)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");

        using var response = await _env.Admin.PostAsync("/api/v1/links", content, Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await ReadJsonAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {problem}");
    }

    [Fact]
    public async Task Key_longer_than_1023_bytes_is_refused()
    {
        using var response = await _env.Admin.PostAsJsonAsync("/api/v1/links", new { bucket = "media", key = new string('é', 512) }, Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1,2,3]")]
    [InlineData("")]
    public async Task Malformed_body_gets_400_problem(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await _env.Admin.PostAsync("/api/v1/links", content, Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Unknown_link_operations_get_404_problems()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _env.Admin.GetAsync("/api/v1/links/nosuchcode", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _env.Admin.PostAsync("/api/v1/links/nosuchcode/revoke", null, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _env.Admin.PostAsync("/api/v1/links/nosuchcode/restore", null, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _env.Admin.DeleteAsync("/api/v1/links/nosuchcode", Cancel)).StatusCode);
    }

    [Fact]
    public async Task Revoke_and_restore_report_the_new_state()
    {
        var code = await _env.CreateLinkAsync("s.txt");

        using var revoked = await _env.Admin.PostAsync($"/api/v1/links/{code}/revoke", null, Cancel);
        Assert.Equal("revoked", (await ReadJsonAsync(revoked)).GetProperty("state").GetString());

        using var restored = await _env.Admin.PostAsync($"/api/v1/links/{code}/restore", null, Cancel);
        Assert.Equal("active", (await ReadJsonAsync(restored)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task OpenApi_document_describes_the_link_endpoints()
    {
        using var response = await _env.Gateway.Client.GetAsync("/openapi/v1.json", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = (await ReadJsonAsync(response)).GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/links", out _));
        Assert.True(paths.TryGetProperty("/api/v1/links/{code}", out _));
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.Clone();
}
