using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.FunctionalTests.Admin;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Presign;

/// <summary><c>POST /api/v1/presign</c>, with every URL used against LocalOss, which verifies V4 signatures as OSS does.</summary>
public sealed class PresignApiTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _env = await GatewayTestEnvironment.StartAsync();
        await _env.PutObjectAsync("raw/hello.txt", "hello from OSS"u8.ToArray(), "text/plain");
    }

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task A_presigned_GET_url_downloads_the_object_from_oss()
    {
        var presigned = await PresignAsync("""{"bucket":"media","key":"raw/hello.txt","expires":600}""");

        using var oss = new HttpClient();
        var body = await oss.GetStringAsync(presigned.GetProperty("url").GetString(), Cancel);

        Assert.Equal("hello from OSS", body);
        Assert.Equal("GET", presigned.GetProperty("method").GetString());
        Assert.InRange(presigned.GetProperty("expiration").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddSeconds(590), DateTimeOffset.UtcNow.AddSeconds(610));
        Assert.Contains("x-oss-expires=600", presigned.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Empty(presigned.GetProperty("signedHeaders").EnumerateObject());
    }

    [Fact]
    public async Task A_presigned_PUT_with_a_signed_content_type_uploads_and_the_bytes_come_back()
    {
        var presigned = await PresignAsync("""{"bucket":"media","key":"raw/uploaded.json","method":"PUT","expires":300,"headers":{"Content-Type":"application/json","x-oss-meta-origin":"functional-test"}}""");
        var url = presigned.GetProperty("url").GetString()!;
        var headers = presigned.GetProperty("signedHeaders");
        Assert.Equal("application/json", headers.GetProperty("Content-Type").GetString());
        Assert.Equal("functional-test", headers.GetProperty("x-oss-meta-origin").GetString());
        using var oss = new HttpClient();

        using var wrongType = new HttpRequestMessage(HttpMethod.Put, url) { Content = new StringContent("{}", Encoding.UTF8, "text/plain") };
        wrongType.Headers.Add("x-oss-meta-origin", "functional-test");
        using var refused = await oss.SendAsync(wrongType, Cancel);

        using var put = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent("""{"uploaded":true}"""u8.ToArray()) };
        put.Content.Headers.ContentType = new("application/json");
        put.Headers.Add("x-oss-meta-origin", "functional-test");
        using var uploaded = await oss.SendAsync(put, Cancel);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        var get = await PresignAsync("""{"bucket":"media","key":"raw/uploaded.json"}""");
        using var read = await oss.GetAsync(get.GetProperty("url").GetString(), Cancel);
        Assert.Equal("""{"uploaded":true}""", await read.Content.ReadAsStringAsync(Cancel));
        Assert.Equal("application/json", read.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Response_overrides_are_signed_into_the_url_and_applied_by_oss()
    {
        var presigned = await PresignAsync("""
            {"bucket":"media","key":"raw/hello.txt","responseContentType":"application/octet-stream",
             "responseContentDisposition":"attachment; filename=\"greeting.txt\"","responseCacheControl":"no-cache",
             "responseContentLanguage":"en","responseExpires":"Thu, 01 Dec 2050 16:00:00 GMT","responseContentEncoding":"identity"}
            """);

        using var oss = new HttpClient();
        using var response = await oss.GetAsync(presigned.GetProperty("url").GetString(), Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("greeting.txt", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Equal("en", Assert.Single(response.Content.Headers.ContentLanguage));
    }

    [Fact]
    public async Task HEAD_and_DELETE_urls_do_what_their_method_says()
    {
        await _env.PutObjectAsync("raw/doomed.txt", "short-lived"u8.ToArray());
        var head = await PresignAsync("""{"bucket":"media","key":"raw/doomed.txt","method":"HEAD"}""");
        var delete = await PresignAsync("""{"bucket":"media","key":"raw/doomed.txt","method":"DELETE"}""");
        var get = await PresignAsync("""{"bucket":"media","key":"raw/doomed.txt"}""");
        using var oss = new HttpClient();

        using var headResponse = await oss.SendAsync(new HttpRequestMessage(HttpMethod.Head, head.GetProperty("url").GetString()), Cancel);
        using var getWithHeadUrl = await oss.GetAsync(head.GetProperty("url").GetString(), Cancel);
        using var deleted = await oss.DeleteAsync(delete.GetProperty("url").GetString(), Cancel);
        using var gone = await oss.GetAsync(get.GetProperty("url").GetString(), Cancel);

        Assert.Equal(HttpStatusCode.OK, headResponse.StatusCode);
        Assert.Equal(11, headResponse.Content.Headers.ContentLength);
        Assert.Equal(HttpStatusCode.Forbidden, getWithHeadUrl.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Traffic_limit_and_source_restrictions_are_signed_query_parameters_oss_accepts()
    {
        var presigned = await PresignAsync("""{"bucket":"media","key":"raw/hello.txt","trafficLimit":819200,"sourceIp":"127.0.0.1","subnetMask":24,"forwardAllow":true}""");
        var url = presigned.GetProperty("url").GetString()!;

        using var oss = new HttpClient();
        using var response = await oss.GetAsync(url, Cancel);

        Assert.Contains("x-oss-traffic-limit=819200", url, StringComparison.Ordinal);
        Assert.Contains("x-oss-ac-source-ip=127.0.0.1", url, StringComparison.Ordinal);
        Assert.Contains("x-oss-ac-subnet-mask=24", url, StringComparison.Ordinal);
        Assert.Contains("x-oss-ac-forward-allow=true", url, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello from OSS", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task A_vpc_bound_url_carries_its_vpc_and_a_version_url_its_version()
    {
        var vpc = await PresignAsync("""{"bucket":"media","key":"raw/hello.txt","vpcId":"vpc-bp1example"}""");
        var version = await PresignAsync("""{"bucket":"media","key":"raw/hello.txt","versionId":"CAEQNhiBgMDJgZCA0BYiIDc4MGZjZGI2"}""");

        Assert.Contains("x-oss-ac-vpc-id=vpc-bp1example", vpc.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Contains("versionId=CAEQNhiBgMDJgZCA0BYiIDc4MGZjZGI2", version.GetProperty("url").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Further_headers_are_signed_as_additional_headers_and_must_be_sent()
    {
        var presigned = await PresignAsync("""{"bucket":"media","key":"raw/disposed.txt","method":"PUT","headers":{"Content-Disposition":"attachment"}}""");
        var url = presigned.GetProperty("url").GetString()!;
        using var oss = new HttpClient();

        using var without = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent("x"u8.ToArray()) };
        using var refused = await oss.SendAsync(without, Cancel);
        using var with = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent("x"u8.ToArray()) };
        with.Content.Headers.TryAddWithoutValidation("Content-Disposition", "attachment");
        using var accepted = await oss.SendAsync(with, Cancel);

        Assert.Contains("x-oss-additional-headers=content-disposition", url, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Theory]
    [InlineData("""{"key":"a"}""", "bucket")]
    [InlineData("""{"bucket":"nope","key":"a"}""", "bucket")]
    [InlineData("""{"bucket":"media"}""", "key")]
    [InlineData("""{"bucket":"media","key":"/a"}""", "key")]
    [InlineData("""{"bucket":"media","key":"a","method":"POST"}""", "method")]
    [InlineData("""{"bucket":"media","key":"a","method":"get"}""", "method")]
    [InlineData("""{"bucket":"media","key":"a","expires":0}""", "expires")]
    [InlineData("""{"bucket":"media","key":"a","expires":604801}""", "expires")]
    [InlineData("""{"bucket":"media","key":"a","method":"PUT","versionId":"v1"}""", "versionId")]
    [InlineData("""{"bucket":"media","key":"a","trafficLimit":100}""", "trafficLimit")]
    [InlineData("""{"bucket":"media","key":"a","method":"DELETE","trafficLimit":819200}""", "trafficLimit")]
    [InlineData("""{"bucket":"media","key":"a","sourceIp":"10.1"}""", "sourceIp")]
    [InlineData("""{"bucket":"media","key":"a","sourceIp":"10.0.0.1","subnetMask":33}""", "subnetMask")]
    [InlineData("""{"bucket":"media","key":"a","subnetMask":24}""", "subnetMask")]
    [InlineData("""{"bucket":"media","key":"a","forwardAllow":true}""", "forwardAllow")]
    [InlineData("""{"bucket":"media","key":"a","vpcId":"my vpc"}""", "vpcId")]
    [InlineData("""{"bucket":"media","key":"a","method":"PUT","responseContentType":"text/plain"}""", "responseContentType")]
    [InlineData("""{"bucket":"media","key":"a","responseContentType":"not a type"}""", "responseContentType")]
    [InlineData("""{"bucket":"media","key":"a","headers":{"Authorization":"x"}}""", "headers[Authorization]")]
    [InlineData("""{"bucket":"media","key":"a","headers":{"x-oss-traffic-limit":"819200"}}""", "headers[x-oss-traffic-limit]")]
    [InlineData("""{"bucket":"media","key":"a","headers":{"Bad Name":"x"}}""", "headers[Bad Name]")]
    [InlineData("""{"bucket":"media","key":"a","headers":{"X_Custom":"x"}}""", "headers[X_Custom]")]
    [InlineData("""{"bucket":"media","key":"a","headers":{"Content-Type":"a\nb"}}""", "headers[Content-Type]")]
    [InlineData("""{"bucket":"media","key":"a","headers":{"Content-Type":"text/plain","content-type":"text/html"}}""", "headers[content-type]")]
    [InlineData("""{"bucket":"media","key":"a","expiresIn":60}""", "expiresIn")]
    [InlineData("""{"bucket":"media","key":"a","expires":"soon"}""", "expires")]
    public async Task Invalid_presign_requests_get_400_problem_naming_the_field(string json, string field)
    {
        using var response = await AdminJson.PostJsonAsync(_env.Admin, "/api/v1/presign", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await AdminJson.ReadAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {problem}");
    }

    [Fact]
    public async Task Presigning_needs_the_presign_scope_and_is_never_cached()
    {
        using var reader = _env.Gateway.CreateClient(GatewayTestEnvironment.ReaderKey);
        using var anonymous = _env.Gateway.CreateClient();
        const string Json = """{"bucket":"media","key":"raw/hello.txt"}""";

        using var forbidden = await AdminJson.PostJsonAsync(reader, "/api/v1/presign", Json);
        using var unauthorized = await AdminJson.PostJsonAsync(anonymous, "/api/v1/presign", Json);
        using var allowed = await AdminJson.PostJsonAsync(_env.Admin, "/api/v1/presign", Json);

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("no-store", allowed.Headers.CacheControl?.ToString());
    }

    private async Task<JsonElement> PresignAsync(string json)
    {
        using var response = await AdminJson.PostJsonAsync(_env.Admin, "/api/v1/presign", json);
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"presign: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
