using System.Net;
using System.Text.Json;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Admin;

public sealed class OpenApiDocumentTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;
    private JsonElement _document;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _env = await GatewayTestEnvironment.StartAsync();
        using var response = await _env.Gateway.Client.GetAsync("/openapi/v1.json", Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        _document = await AdminJson.ReadAsync(response);
    }

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    public static TheoryData<string, string> AdminOperations => new()
    {
        { "/api/v1/links", "post" },
        { "/api/v1/links", "get" },
        { "/api/v1/links/{code}", "get" },
        { "/api/v1/links/{code}", "patch" },
        { "/api/v1/links/{code}", "delete" },
        { "/api/v1/links/{code}/revoke", "post" },
        { "/api/v1/links/{code}/restore", "post" },
        { "/api/v1/audit", "get" },
        { "/api/v1/presign", "post" },
        { "/api/v1/links/{code}/qr.svg", "get" },
        { "/api/v1/me", "get" },
    };

    [Theory]
    [MemberData(nameof(AdminOperations))]
    public void Every_admin_operation_has_a_summary_the_bearer_requirement_and_problem_answers(string path, string method)
    {
        var operation = _document.GetProperty("paths").GetProperty(path).GetProperty(method);

        Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()));
        var requirement = Assert.Single(operation.GetProperty("security").EnumerateArray());
        Assert.True(requirement.TryGetProperty("Bearer", out _));
        var responses = operation.GetProperty("responses");
        // Presigning and the key's own rights need no store, so only they have no 503.
        string[] statuses = path is "/api/v1/presign" or "/api/v1/me" ? ["401", "403", "429"] : ["401", "403", "429", "503"];
        foreach (var status in statuses)
        {
            Assert.True(responses.TryGetProperty(status, out var response), $"{method} {path} should document {status}");
            Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{method} {path} {status} is problem+json");
        }
    }

    [Fact]
    public void The_bearer_scheme_is_declared_once_for_the_document()
    {
        var scheme = _document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");

        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
    }

    [Theory]
    [InlineData("/api/v1/links", "post", "application/json", "expiresAt")]
    [InlineData("/api/v1/links/{code}", "patch", "application/merge-patch+json", "maxDownloads")]
    [InlineData("/api/v1/presign", "post", "application/json", "trafficLimit")]
    public void Request_bodies_carry_their_schema(string path, string method, string mediaType, string property)
    {
        var schema = _document.GetProperty("paths").GetProperty(path).GetProperty(method)
            .GetProperty("requestBody").GetProperty("content").GetProperty(mediaType).GetProperty("schema");

        Assert.True(Resolve(schema).GetProperty("properties").TryGetProperty(property, out _), $"{method} {path} body should describe '{property}'");
    }

    [Theory]
    [InlineData("/api/v1/links", "post", "201", "url")]
    [InlineData("/api/v1/links", "get", "200", "nextCursor")]
    [InlineData("/api/v1/links/{code}", "patch", "200", "usedDownloads")]
    [InlineData("/api/v1/audit", "get", "200", "items")]
    [InlineData("/api/v1/presign", "post", "200", "signedHeaders")]
    [InlineData("/api/v1/me", "get", "200", "scopes")]
    [InlineData("/api/v1/stats/buckets/days", "get", "200", "buckets")]
    public void Responses_carry_their_schema(string path, string method, string status, string property)
    {
        var schema = _document.GetProperty("paths").GetProperty(path).GetProperty(method)
            .GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/json").GetProperty("schema");

        Assert.True(Resolve(schema).GetProperty("properties").TryGetProperty(property, out _));
    }

    [Fact]
    public void Validation_problems_and_list_parameters_are_documented()
    {
        var list = _document.GetProperty("paths").GetProperty("/api/v1/links").GetProperty("get");
        var parameters = list.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();

        Assert.Subset(parameters.ToHashSet(), new HashSet<string?> { "cursor", "limit", "bucket", "tag", "state", "q" });
        Assert.True(list.GetProperty("responses").GetProperty("400").GetProperty("content").TryGetProperty("application/problem+json", out _));
        var create = _document.GetProperty("paths").GetProperty("/api/v1/links").GetProperty("post").GetProperty("responses");
        Assert.True(create.TryGetProperty("409", out _));
        Assert.True(create.TryGetProperty("400", out _));
        var get = _document.GetProperty("paths").GetProperty("/api/v1/links/{code}").GetProperty("get").GetProperty("responses");
        Assert.True(get.GetProperty("404").GetProperty("content").TryGetProperty("application/problem+json", out _));
        var patch = _document.GetProperty("paths").GetProperty("/api/v1/links/{code}").GetProperty("patch").GetProperty("responses");
        Assert.True(patch.TryGetProperty("409", out _));
    }

    [Fact]
    public void The_qr_code_is_documented_as_an_svg_and_the_console_is_not_part_of_the_api()
    {
        var qr = _document.GetProperty("paths").GetProperty("/api/v1/links/{code}/qr.svg").GetProperty("get").GetProperty("responses");

        Assert.True(qr.GetProperty("200").GetProperty("content").TryGetProperty("image/svg+xml", out _));
        Assert.True(qr.TryGetProperty("404", out _));
        Assert.DoesNotContain(_document.GetProperty("paths").EnumerateObject(), path => path.Name.StartsWith("/console", StringComparison.Ordinal));
    }

    [Fact]
    public void Endpoints_without_a_key_carry_no_security_requirement()
    {
        var health = _document.GetProperty("paths").GetProperty("/healthz").GetProperty("get");

        Assert.False(health.TryGetProperty("security", out _));
    }

    private JsonElement Resolve(JsonElement schema)
    {
        if (!schema.TryGetProperty("$ref", out var reference))
        {
            return schema;
        }

        var name = reference.GetString()!["#/components/schemas/".Length..];
        return _document.GetProperty("components").GetProperty("schemas").GetProperty(name);
    }
}
