using System.Net;
using System.Text.RegularExpressions;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Console;

/// <summary>The console's files as the server hands them out: embedded, typed, cached by ETag, under a strict CSP.</summary>
public sealed partial class ConsoleAssetTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _env = await GatewayTestEnvironment.StartAsync();

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task The_page_comes_with_a_strict_content_security_policy()
    {
        using var response = await _env.Gateway.Client.GetAsync("/console/", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var policy = Directives(response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("'none'", policy["default-src"]);
        Assert.Equal("'self'", policy["script-src"]);
        Assert.Equal("'self'", policy["style-src"]);
        Assert.Equal("'self'", policy["connect-src"]);
        Assert.Equal("'self' blob:", policy["img-src"]);
        Assert.Equal("'none'", policy["frame-ancestors"]);
        Assert.Equal("'none'", policy["base-uri"]);
        Assert.Equal("'none'", policy["form-action"]);
        Assert.DoesNotContain(policy.Values, value => value.Contains("unsafe", StringComparison.Ordinal) || value.Contains('*', StringComparison.Ordinal));
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task The_bare_path_redirects_to_the_page_so_relative_urls_resolve_under_it()
    {
        using var response = await _env.Gateway.Client.GetAsync("/console", Cancel);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/console/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Every_file_the_page_and_its_modules_name_is_served_with_its_type_and_no_inline_code()
    {
        var html = await _env.Gateway.Client.GetStringAsync("/console/", Cancel);
        Assert.DoesNotMatch(InlineScriptOrStyle(), html);

        var pending = new Queue<string>(References(html));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryDequeue(out var path))
        {
            if (!seen.Add(path))
            {
                continue;
            }

            using var response = await _env.Gateway.Client.GetAsync($"/console/{path}", Cancel);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"/console/{path}: {(int)response.StatusCode}");
            var expected = Path.GetExtension(path) switch
            {
                ".js" => "text/javascript",
                ".css" => "text/css",
                ".svg" => "image/svg+xml",
                _ => "text/plain",
            };
            Assert.Equal(expected, response.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(response.Content.Headers.ContentType);
            if (path.EndsWith(".js", StringComparison.Ordinal) && path.StartsWith("js/", StringComparison.Ordinal))
            {
                var module = await response.Content.ReadAsStringAsync(Cancel);
                Assert.DoesNotContain("innerHTML", module, StringComparison.Ordinal);
                Assert.DoesNotContain("eval(", module, StringComparison.Ordinal);
                foreach (Match import in ModuleImport().Matches(module))
                {
                    pending.Enqueue("js/" + import.Groups[1].Value);
                }
            }
        }

        Assert.Contains("vendor/uPlot.iife.min.js", seen);
        Assert.Contains("js/main.js", seen);
        Assert.Contains("js/detail.js", seen);
    }

    [Fact]
    public async Task Files_are_revalidated_by_etag()
    {
        using var first = await _env.Gateway.Client.GetAsync("/console/js/main.js", Cancel);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.Equal("no-cache", first.Headers.CacheControl?.ToString());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/console/js/main.js");
        request.Headers.IfNoneMatch.Add(etag);
        using var second = await _env.Gateway.Client.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task An_unknown_file_is_404_and_not_a_download()
    {
        using var response = await _env.Gateway.Client.GetAsync("/console/nothing-here.js", Cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Console_is_a_reserved_code()
    {
        using var response = await _env.Admin.PostAsync("/api/v1/links", JsonContent("""{"bucket":"media","key":"a.txt","code":"console"}"""), Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await Admin.AdminJson.ReadAsync(response)).GetProperty("errors").TryGetProperty("code", out _));
    }

    [Fact]
    public async Task Switched_off_the_console_is_not_served()
    {
        await using var env = await GatewayTestEnvironment.StartAsync(settings => settings["Gateway:Console:Enabled"] = "false");

        using var page = await env.Gateway.Client.GetAsync("/console/", Cancel);
        using var script = await env.Gateway.Client.GetAsync("/console/js/main.js", Cancel);

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, script.StatusCode);
        Assert.False(page.Headers.Contains("Content-Security-Policy"));
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private static Dictionary<string, string> Directives(string policy) =>
        policy.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(directive => directive.Split(' ', 2))
            .ToDictionary(parts => parts[0], parts => parts.Length > 1 ? parts[1] : "", StringComparer.Ordinal);

    private static IEnumerable<string> References(string html) =>
        AssetReference().Matches(html).Select(match => match.Groups[1].Value);

    /// <summary>A script element with a body, a style element, a style or on* attribute, or a javascript: URL.</summary>
    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=|javascript:", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScriptOrStyle();

    [GeneratedRegex("(?:src|href)=\"(?!#|https?:|/)([^\"]+)\"")]
    private static partial Regex AssetReference();

    [GeneratedRegex("from \"\\./([^\"]+)\";")]
    private static partial Regex ModuleImport();
}
