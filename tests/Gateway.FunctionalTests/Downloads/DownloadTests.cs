using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Downloads;

public sealed class DownloadTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _env = await GatewayTestEnvironment.StartAsync();

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task Link_downloads_the_object_byte_identical()
    {
        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        await _env.PutObjectAsync("reports/q3.bin", content, "application/octet-stream");
        var code = await _env.CreateLinkAsync("reports/q3.bin");

        using var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync(Cancel));
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(content.Length, response.Content.Headers.ContentLength);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("q3.bin", response.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Contains("nosniff", response.Headers.GetValues("X-Content-Type-Options"));
        Assert.NotNull(response.Headers.ETag);
    }

    [Fact]
    public async Task Cosmetic_filename_segment_after_the_code_is_ignored()
    {
        await _env.PutObjectAsync("a.txt", "alpha"u8.ToArray());
        var code = await _env.CreateLinkAsync("a.txt");

        using var response = await _env.Gateway.Client.GetAsync($"/{code}/any-name.txt", Cancel);

        Assert.Equal("alpha", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Theory]
    [InlineData("dir with space/ä+b~c%20d(1)!.txt")]
    [InlineData("报告 2024/季度 #3?.pdf")]
    [InlineData("a/../b.txt")]
    [InlineData("x/./y/'quoted';=&.txt")]
    [InlineData("double//slash")]
    [InlineData("ends-with-slash/")]
    public async Task Odd_object_keys_download_exactly_the_object_they_name(string key)
    {
        var content = Encoding.UTF8.GetBytes("content of " + key);
        await _env.PutObjectAsync(key, content);
        // A decoy where a normalising URI would land, so addressing the wrong object fails the test.
        await _env.PutObjectAsync("b.txt", "decoy"u8.ToArray());
        var code = await _env.CreateLinkAsync(key);

        using var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync(Cancel));
    }

    [Fact]
    public async Task Unicode_filename_is_sent_with_filename_star()
    {
        await _env.PutObjectAsync("x.pdf", "%PDF"u8.ToArray());
        var code = await _env.CreateLinkAsync("x.pdf", new { filename = "Jahresbericht Ü 2024 \"final\".pdf", disposition = "inline" });

        using var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);

        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("inline", disposition.DispositionType);
        Assert.Equal("Jahresbericht Ü 2024 \"final\".pdf", disposition.FileNameStar);
        Assert.DoesNotContain("Ü", disposition.FileName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Range_request_returns_206_with_exactly_the_range()
    {
        var content = RandomNumberGenerator.GetBytes(10_000);
        await _env.PutObjectAsync("r.bin", content);
        var code = await _env.CreateLinkAsync("r.bin");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        request.Headers.Range = new RangeHeaderValue(100, 1099);
        using var response = await _env.Gateway.Client.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("bytes 100-1099/10000", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal(content.AsSpan(100, 1000).ToArray(), await response.Content.ReadAsByteArrayAsync(Cancel));
    }

    [Fact]
    public async Task Suffix_range_returns_the_last_bytes()
    {
        var content = RandomNumberGenerator.GetBytes(5000);
        await _env.PutObjectAsync("s.bin", content);
        var code = await _env.CreateLinkAsync("s.bin");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        request.Headers.Range = new RangeHeaderValue(null, 500);
        using var response = await _env.Gateway.Client.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(content.AsSpan(4500).ToArray(), await response.Content.ReadAsByteArrayAsync(Cancel));
    }

    [Fact]
    public async Task Range_starting_past_the_end_returns_416()
    {
        await _env.PutObjectAsync("small.bin", new byte[100]);
        var code = await _env.CreateLinkAsync("small.bin");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        request.Headers.Range = new RangeHeaderValue(500, 600);
        using var response = await _env.Gateway.Client.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.DoesNotContain("<Error>", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_returns_headers_without_a_body()
    {
        await _env.PutObjectAsync("h.bin", new byte[4321]);
        var code = await _env.CreateLinkAsync("h.bin");

        using var response = await _env.Gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/{code}"), Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(4321, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Cancel));
    }

    [Fact]
    public async Task If_None_Match_with_the_current_ETag_returns_304()
    {
        await _env.PutObjectAsync("e.txt", "etag me"u8.ToArray());
        var code = await _env.CreateLinkAsync("e.txt");
        using var first = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);
        var etag = first.Headers.ETag!;

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        request.Headers.IfNoneMatch.Add(etag);
        using var response = await _env.Gateway.Client.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Cancel));
    }

    [Fact]
    public async Task If_Match_with_another_ETag_returns_412_without_OSS_XML()
    {
        await _env.PutObjectAsync("m.txt", "match me"u8.ToArray());
        var code = await _env.CreateLinkAsync("m.txt");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        request.Headers.IfMatch.Add(new EntityTagHeaderValue("\"0123456789ABCDEF0123456789ABCDEF\""));
        using var response = await _env.Gateway.Client.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.DoesNotContain("<Error>", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoked_link_returns_410_and_restore_brings_it_back()
    {
        await _env.PutObjectAsync("v.txt", "revocable"u8.ToArray());
        var code = await _env.CreateLinkAsync("v.txt");

        (await _env.Admin.PostAsync($"/api/v1/links/{code}/revoke", null, Cancel)).EnsureSuccessStatusCode();
        using var revoked = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);
        Assert.Equal(HttpStatusCode.Gone, revoked.StatusCode);
        Assert.Contains("revoked", await revoked.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal("no-store", revoked.Headers.CacheControl?.ToString());

        (await _env.Admin.PostAsync($"/api/v1/links/{code}/restore", null, Cancel)).EnsureSuccessStatusCode();
        using var restored = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);
        Assert.Equal("revocable", await restored.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task Revocation_through_one_replica_is_effective_on_the_next_request_of_another()
    {
        await _env.PutObjectAsync("rep.txt", "replicated"u8.ToArray());
        var code = await _env.CreateLinkAsync("rep.txt");
        var other = await _env.StartAnotherGatewayAsync();
        Assert.Equal(HttpStatusCode.OK, (await other.Client.GetAsync($"/{code}", Cancel)).StatusCode);

        (await _env.Admin.PostAsync($"/api/v1/links/{code}/revoke", null, Cancel)).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Gone, (await other.Client.GetAsync($"/{code}", Cancel)).StatusCode);
    }

    [Fact]
    public async Task Deleted_link_returns_404()
    {
        await _env.PutObjectAsync("d.txt", "gone"u8.ToArray());
        var code = await _env.CreateLinkAsync("d.txt");

        using var delete = await _env.Admin.DeleteAsync($"/api/v1/links/{code}", Cancel);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await _env.Gateway.Client.GetAsync($"/{code}", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _env.Admin.GetAsync($"/api/v1/links/{code}", Cancel)).StatusCode);
    }

    [Theory]
    [InlineData("/Unknown1234")]
    [InlineData("/ab")]
    [InlineData("/bad!code")]
    [InlineData("/ab%20cd")]
    [InlineData("/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Unknown_or_malformed_code_returns_404(string path)
    {
        using var response = await _env.Gateway.Client.GetAsync(path, Cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Missing_object_returns_404_without_OSS_XML()
    {
        var code = await _env.CreateLinkAsync("never/uploaded.bin");

        using var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);
        var body = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("<Error>", body, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayTestEnvironment.AccessKeyId, body, StringComparison.Ordinal);
        Assert.DoesNotContain("x-oss", string.Join(",", response.Headers.Select(h => h.Key)), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Upstream_and_server_headers_are_not_passed_to_the_client()
    {
        await _env.PutObjectAsync("hdr.txt", "headers"u8.ToArray());
        var code = await _env.CreateLinkAsync("hdr.txt");

        using var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel);

        var names = response.Headers.Concat(response.Content.Headers).Select(h => h.Key).ToList();
        Assert.DoesNotContain(names, name => name.StartsWith("x-oss-", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("Server", names, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("Set-Cookie", names, StringComparer.OrdinalIgnoreCase);
    }
}
