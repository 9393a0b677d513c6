using System.Net;
using System.Text;
using Gateway.FunctionalTests.Infrastructure;
using Microsoft.Extensions.Options;
using static Gateway.FunctionalTests.Metering.StatsRequests;

namespace Gateway.FunctionalTests.Downloads;

/// <summary>
/// Link-preview bots (chat apps unfurling a link) get a small page about the file instead of its bytes on
/// download-limited links: never a download session, never a count against the limit, counted as a preview.
/// </summary>
public sealed class PreviewBotTests
{
    /// <summary>The fetchers' own User-Agent strings, as they send them.</summary>
    public static TheoryData<string, string> Bots => new()
    {
        { "Slack", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)" },
        { "Facebook", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)" },
        { "X (Twitter)", "Twitterbot/1.0" },
        { "WhatsApp", "WhatsApp/2.23.20.0 A" },
        { "Telegram", "TelegramBot (like TwitterBot)" },
        { "Discord", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)" },
        { "LinkedIn", "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)" },
        { "Skype", "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com" },
        { "Microsoft Teams", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.114 Safari/537.36 Edg/91.0.864.54 MicrosoftPreview/2.0 +https://aka.ms/MicrosoftPreview" },
        { "iMessage", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0" },
    };

    private const string Person = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    /// <summary>A name with markup and quotes: the page must show it as text.</summary>
    private const string FileName = "Q3 <b>\"final\" & co's.pdf";

    private const string EscapedFileName = "Q3 &lt;b&gt;&quot;final&quot; &amp; co&#x27;s.pdf";

    /// <summary>12,345 bytes of a pattern no page could contain by chance.</summary>
    private static readonly byte[] Content = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("OBJECT-BYTES|", 950)))[..12_345];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Bots))]
    public async Task A_preview_bot_gets_the_page_and_never_uses_up_a_limited_link(string app, string userAgent)
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        await env.PutObjectAsync("reports/q3.pdf", Content);
        var code = await env.CreateLinkAsync("reports/q3.pdf", new { maxDownloads = 1, filename = FileName });

        for (var i = 0; i < 2; i++)
        {
            using var response = await GetAsync(env.Gateway.Client, code, userAgent);
            var page = await response.Content.ReadAsStringAsync(Cancel);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{app}: {(int)response.StatusCode} {page}");
            AssertPreviewPage(response, page, "12.3 KB");
        }

        Assert.Equal(0, (await env.GetLinkAsync(code)).GetProperty("usedDownloads").GetInt64());

        // The one allowed download is still there for a person, and only one.
        using (var download = await GetAsync(env.Gateway.Client, code, Person))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(Content, await download.Content.ReadAsByteArrayAsync(Cancel));
        }

        using (var second = await GetAsync(env.Gateway.Client, code, Person + " other"))
        {
            Assert.Equal(HttpStatusCode.Gone, second.StatusCode);
        }

        var stats = await WaitForAsync(env.Admin, $"/api/v1/links/{code}/stats", s => s.GetProperty("totals").Long("previews") >= 2 && s.GetProperty("totals").Long("downloads") >= 1);
        var totals = stats.GetProperty("totals");
        Assert.Equal((1, 1, 0, Content.Length), totals.Counts());
        Assert.Equal(2, totals.Long("previews"));
        Assert.Equal(2, stats.GetProperty("days").EnumerateArray().Last().Long("previews"));
        var bucket = (await GetJsonAsync(env.Admin, "/api/v1/stats/buckets")).GetProperty("buckets").EnumerateArray()
            .Single(b => b.GetProperty("bucket").GetString() == GatewayTestEnvironment.BucketAlias);
        Assert.Equal(2, bucket.Long("previews"));
    }

    [Fact]
    public async Task The_user_agent_is_matched_case_insensitively()
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        await env.PutObjectAsync("a.bin", Content);
        var code = await env.CreateLinkAsync("a.bin", new { maxDownloads = 1 });

        using var response = await GetAsync(env.Gateway.Client, code, "SLACKBOT-LINKEXPANDING 1.0");

        AssertPreviewPage(response, await response.Content.ReadAsStringAsync(Cancel), "12.3 KB");
    }

    [Fact]
    public async Task By_default_bots_are_served_unlimited_links_like_anyone_else()
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        await env.PutObjectAsync("open.bin", Content);
        var code = await env.CreateLinkAsync("open.bin");

        using var response = await GetAsync(env.Gateway.Client, code, "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Content, await response.Content.ReadAsByteArrayAsync(Cancel));
        var totals = (await WaitForAsync(env.Admin, $"/api/v1/links/{code}/stats", s => s.GetProperty("totals").Long("downloads") == 1)).GetProperty("totals");
        Assert.Equal(0, totals.Long("previews"));
    }

    [Fact]
    public async Task With_PreviewBots_page_unlimited_links_give_bots_the_page_too()
    {
        await using var env = await GatewayTestEnvironment.StartAsync(settings => settings["Gateway:Downloads:PreviewBots"] = "page");
        await env.PutObjectAsync("open.bin", Content);
        var code = await env.CreateLinkAsync("open.bin");

        using (var bot = await GetAsync(env.Gateway.Client, code, "Twitterbot/1.0"))
        {
            AssertPreviewPage(bot, await bot.Content.ReadAsStringAsync(Cancel), "12.3 KB");
        }

        using (var person = await GetAsync(env.Gateway.Client, code, Person))
        {
            Assert.Equal(Content, await person.Content.ReadAsByteArrayAsync(Cancel));
        }

        var totals = (await WaitForAsync(env.Admin, $"/api/v1/links/{code}/stats", s => s.GetProperty("totals").Long("previews") == 1 && s.GetProperty("totals").Long("downloads") == 1)).GetProperty("totals");
        Assert.Equal((1, 1, 0, Content.Length), totals.Counts());
    }

    [Fact]
    public async Task A_configured_list_replaces_the_built_in_one()
    {
        await using var env = await GatewayTestEnvironment.StartAsync(settings => settings["Gateway:Downloads:PreviewBotUserAgents:0"] = "AcmeUnfurler");
        await env.PutObjectAsync("a.bin", Content);
        var code = await env.CreateLinkAsync("a.bin", new { maxDownloads = 1 });

        using (var acme = await GetAsync(env.Gateway.Client, code, "acmeunfurler/3.1"))
        {
            AssertPreviewPage(acme, await acme.Content.ReadAsStringAsync(Cancel), "12.3 KB");
        }

        // Slackbot is no longer on the list: it downloads, and takes the one download.
        using (var slack = await GetAsync(env.Gateway.Client, code, "Slackbot-LinkExpanding 1.0"))
        {
            Assert.Equal(Content, await slack.Content.ReadAsByteArrayAsync(Cancel));
        }

        Assert.Equal(1, (await env.GetLinkAsync(code)).GetProperty("usedDownloads").GetInt64());
    }

    [Fact]
    public async Task The_page_is_built_from_a_HEAD_and_no_GET_of_the_object_goes_upstream()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(static context =>
        {
            context.Response.ContentLength = 4096;
            context.Response.ContentType = "application/pdf";
            return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(new byte[4096]).AsTask();
        });
        await using var env = await GatewayTestEnvironment.StartAsync();
        await using var gateway = await GatewayInstance.StartAsync(GatewayTestEnvironment.GatewaySettings(env.Directory, env.Store.ConnectionString, upstream.BaseAddress));
        var code = await env.CreateLinkAsync("docs/handbook.pdf", new { maxDownloads = 3 });

        using var response = await GetAsync(gateway.Client, code, "Discordbot/2.0");

        var page = await response.Content.ReadAsStringAsync(Cancel);
        AssertPreviewPage(response, page, "4.1 KB");
        Assert.Contains("<meta property=\"og:title\" content=\"handbook.pdf\">", page, StringComparison.Ordinal);
        Assert.Equal(["HEAD"], upstream.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task A_bot_HEAD_gets_the_page_headers_and_counts_as_nothing()
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        await env.PutObjectAsync("a.bin", Content);
        var code = await env.CreateLinkAsync("a.bin", new { maxDownloads = 1 });

        using var head = new HttpRequestMessage(HttpMethod.Head, $"/{code}");
        head.Headers.TryAddWithoutValidation("User-Agent", "WhatsApp/2.23.20.0 A");
        using var response = await env.Gateway.Client.SendAsync(head, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Cancel));
        Assert.Equal(0, (await env.GetLinkAsync(code)).GetProperty("usedDownloads").GetInt64());
        Assert.Equal(0, (await WaitForAsync(env.Admin, $"/api/v1/links/{code}/stats", _ => true)).GetProperty("totals").Long("previews"));
    }

    [Fact]
    public async Task Revoked_used_up_and_missing_links_are_refused_to_bots_as_to_anyone()
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        await env.PutObjectAsync("a.bin", Content);
        var revoked = await env.CreateLinkAsync("a.bin", new { maxDownloads = 1 });
        (await env.Admin.PostAsync($"/api/v1/links/{revoked}/revoke", null, Cancel)).EnsureSuccessStatusCode();
        var usedUp = await env.CreateLinkAsync("a.bin", new { maxDownloads = 1 });
        (await GetAsync(env.Gateway.Client, usedUp, Person)).Dispose();
        var missing = await env.CreateLinkAsync("never-uploaded.bin", new { maxDownloads = 1 });

        using var revokedAnswer = await GetAsync(env.Gateway.Client, revoked, "Twitterbot/1.0");
        using var usedUpAnswer = await GetAsync(env.Gateway.Client, usedUp, "Twitterbot/1.0");
        using var missingAnswer = await GetAsync(env.Gateway.Client, missing, "Twitterbot/1.0");

        Assert.Equal(HttpStatusCode.Gone, revokedAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, usedUpAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missingAnswer.StatusCode);
    }

    [Theory]
    [InlineData("Gateway:Downloads:PreviewBots", "sometimes")]
    [InlineData("Gateway:Downloads:PreviewBotUserAgents:0", " ")]
    public async Task Bad_preview_settings_stop_the_start_and_name_their_key(string key, string value)
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        var settings = GatewayTestEnvironment.GatewaySettings(env.Directory, env.Store.ConnectionString, env.Oss.BaseAddress);
        settings[key] = value;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayInstance.StartAsync(settings));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    private static void AssertPreviewPage(HttpResponseMessage response, string page, string size)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.StartsWith("default-src 'none'", string.Join(",", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.False(response.Content.Headers.Contains("Content-Disposition"));
        Assert.DoesNotContain("OBJECT-BYTES", page, StringComparison.Ordinal);
        Assert.Contains("<meta property=\"og:title\" content=\"", page, StringComparison.Ordinal);
        Assert.Contains($"<meta property=\"og:description\" content=\"{size} · download link\">", page, StringComparison.Ordinal);
        if (page.Contains("final", StringComparison.Ordinal))
        {
            Assert.Contains($"<meta property=\"og:title\" content=\"{EscapedFileName}\">", page, StringComparison.Ordinal);
            Assert.DoesNotContain("<b>", page, StringComparison.Ordinal);
        }

        Assert.True(Encoding.UTF8.GetByteCount(page) < 2048, $"the page is {page.Length} characters");
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string code, string userAgent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        return await client.SendAsync(request, Cancel);
    }
}
