using System.Net;
using System.Text.RegularExpressions;
using Gateway.FunctionalTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gateway.FunctionalTests.Console;

/// <summary>
/// The web console in a real browser (Debian's Chromium through Playwright) against a real gateway, store
/// and LocalOss: what a person does, click by click, with a screenshot of each page in the test output.
/// </summary>
public sealed partial class ConsoleBrowserTests : IAsyncLifetime
{
    private const string TeamKey = "gwk_test_console_team_0123456789";
    private const string StatsKey = "gwk_test_console_stats_0123456789";
    private const int ObjectSize = 123_456;

    private GatewayTestEnvironment _env = null!;
    private ConsoleBrowser _browser = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _env = await GatewayTestEnvironment.StartAsync(settings =>
        {
            // A second bucket, and a key that may use only the first one, with no stats or presign scope.
            GatewayTestEnvironment.AddBucket(settings, "archive", GatewayTestEnvironment.BucketName);
            settings["Gateway:Admin:ApiKeys:team:Sha256"] = GatewayTestEnvironment.Sha256Hex(TeamKey);
            settings["Gateway:Admin:ApiKeys:team:Scopes:0"] = "links:read";
            settings["Gateway:Admin:ApiKeys:team:Scopes:1"] = "links:write";
            settings["Gateway:Admin:ApiKeys:team:Buckets:0"] = GatewayTestEnvironment.BucketAlias;
            settings["Gateway:Admin:ApiKeys:team:MaxDownloads"] = "5";
            settings["Gateway:Admin:ApiKeys:stats:Sha256"] = GatewayTestEnvironment.Sha256Hex(StatsKey);
            settings["Gateway:Admin:ApiKeys:stats:Scopes:0"] = "stats:read";
        });
        _browser = await ConsoleBrowser.LaunchAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _env.DisposeAsync();
    }

    [Fact]
    public async Task A_person_signs_in_creates_a_link_finds_it_downloads_it_sees_the_traffic_and_revokes_it()
    {
        await _env.PutObjectAsync("reports/q3.pdf", new byte[ObjectSize]);
        var page = await _browser.NewPageAsync(_env.Gateway.BaseAddress);

        // Sign in: a wrong key is refused at the field; the right one, typed and sent with Enter, is taken.
        await page.GotoAsync("console/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await _browser.ScreenshotAsync(page, "01-sign-in");
        await page.GetByLabel("API key").FillAsync("gwk_not_a_key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#field-apiKey-error")).ToContainTextAsync("does not accept this key");
        await page.GetByLabel("API key").FillAsync(GatewayTestEnvironment.AdminKey);
        await page.GetByLabel("API key").PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Links", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("#key-name")).ToHaveTextAsync("Key: admin");

        // The key is in this tab's sessionStorage only: not in the URL, a cookie or localStorage.
        Assert.DoesNotContain(GatewayTestEnvironment.AdminKey, page.Url, StringComparison.Ordinal);
        Assert.Empty(await page.Context.CookiesAsync());
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length"));
        Assert.Equal(GatewayTestEnvironment.AdminKey, await page.EvaluateAsync<string>("() => sessionStorage.getItem('gateway.console.apiKey')"));

        // Create: the API's validation error appears at its field, then the corrected link is made.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).GetByRole(AriaRole.Link, new() { Name = "New link" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New link", Level = 1 })).ToBeVisibleAsync();
        await page.GetByLabel("Bucket").SelectOptionAsync("media");
        await page.GetByLabel("Object key").FillAsync("reports/q3.pdf");
        await page.GetByLabel("Tags").FillAsync("quarterly, board");
        await page.GetByLabel("Note").FillAsync("For the board meeting");
        await page.GetByLabel("Bandwidth cap (bit/s)").FillAsync("5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create link" }).ClickAsync();
        await Expect(page.Locator("#field-trafficLimit-error")).ToContainTextAsync("Must be between 819200 and 838860800");
        await Expect(page.GetByLabel("Bandwidth cap (bit/s)")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByLabel("Bandwidth cap (bit/s)")).ToBeFocusedAsync();
        await _browser.ScreenshotAsync(page, "02-new-link-field-error");
        await page.GetByLabel("Bandwidth cap (bit/s)").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create link" }).ClickAsync();

        // The link's page: short URL with a copy button, QR code, state and counters.
        await Expect(page).ToHaveURLAsync(LinkPage());
        var code = LinkPage().Match(page.Url).Groups[1].Value;
        var url = new Uri(_env.Gateway.BaseAddress, code).ToString();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Link {code}", Level = 1 })).ToBeVisibleAsync();
        await Expect(StateBadge(page)).ToHaveTextAsync("Active");
        await Expect(page.GetByLabel("Short URL")).ToHaveValueAsync(url);
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy", Exact = true }).ClickAsync();
        await Expect(page.Locator("#toast")).ToHaveTextAsync("Copied to the clipboard.");
        Assert.Equal(url, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        var qr = page.GetByRole(AriaRole.Img, new() { Name = $"QR code of the short URL of {code}" });
        await Expect(qr).ToBeVisibleAsync();
        Assert.True(await qr.EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 0"), "the QR code image loaded");
        await Expect(Counter(page, "downloads")).ToHaveTextAsync("0");
        await Expect(page.Locator("figure.chart canvas").First).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Table).Filter(new() { HasText = "create" })).ToBeAttachedAsync();

        // Find it in the table by a tag, and by a piece of its key.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).GetByRole(AriaRole.Link, new() { Name = "Links" }).ClickAsync();
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search" }).FillAsync("board");
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search" }).PressAsync("Enter");
        var row = page.Locator($"tr[data-code='{code}']");
        await Expect(row).ToBeVisibleAsync();
        await Expect(row).ToContainTextAsync("reports/q3.pdf");
        await Expect(row.Locator(".badge")).ToHaveTextAsync("Active");
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search" }).FillAsync("Q3.PDF");
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search" }).PressAsync("Enter");
        await Expect(row).ToBeVisibleAsync();
        await page.GetByLabel("State").SelectOptionAsync("revoked");
        await Expect(page.GetByText("No links match.")).ToBeVisibleAsync();
        await page.GetByLabel("State").SelectOptionAsync("active");
        await Expect(row).ToBeVisibleAsync();
        await _browser.ScreenshotAsync(page, "03-links");

        // Download it, then watch the counters and the chart catch up (metering writes within about a second).
        using (var download = await _env.Gateway.Client.GetAsync(code, Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(ObjectSize, (await download.Content.ReadAsByteArrayAsync(Cancel)).Length);
        }

        await row.GetByRole(AriaRole.Link, new() { Name = code }).ClickAsync();
        await RefreshUntilAsync(page, Counter(page, "downloads"), "1");
        await Expect(Counter(page, "bytes")).ToHaveTextAsync("123.5 kB");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var todayRow = page.Locator($"figure.chart tr[data-day='{today}']");
        await Expect(todayRow).ToContainTextAsync("123.5 kB");
        await page.GetByRole(AriaRole.Button, new() { Name = "90 days" }).ClickAsync();
        await Expect(page.Locator("figure.chart figcaption")).ToContainTextAsync("last 90 days");
        await Expect(page.Locator("figure.chart tr[data-day]")).ToHaveCountAsync(90);
        await _browser.ScreenshotAsync(page, "04-link");

        // Revoke, confirmed in a dialog: the badge changes and the short URL answers 410.
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Revoke this link?" });
        await Expect(dialog).ToBeVisibleAsync();
        await _browser.ScreenshotAsync(page, "05-revoke-confirmation");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(StateBadge(page)).ToHaveTextAsync("Revoked");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Restore" })).ToBeVisibleAsync();
        using (var revoked = await _env.Gateway.Client.GetAsync(code, Cancel))
        {
            Assert.Equal(HttpStatusCode.Gone, revoked.StatusCode);
        }

        await Expect(page.GetByRole(AriaRole.Table).Filter(new() { HasText = "revoke" })).ToBeAttachedAsync();

        // Traffic: the bucket's totals, today's top links, the chart.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).GetByRole(AriaRole.Link, new() { Name = "Traffic" }).ClickAsync();
        var media = page.Locator("tr[data-bucket='media']");
        await Expect(media.Locator("[data-counter='downloads']")).ToHaveTextAsync("1");
        await Expect(media.Locator("[data-counter='bytes']")).ToHaveTextAsync("123.5 kB");
        await Expect(page.Locator("tr[data-bucket='archive'] [data-counter='bytes']")).ToHaveTextAsync("0 B");
        await Expect(page.Locator("section", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Today's top links by bytes" }) }).Locator($"tr[data-code='{code}']")).ToBeVisibleAsync();
        await Expect(page.Locator("section", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Today's top links by downloads" }) }).Locator($"tr[data-code='{code}']")).ToBeVisibleAsync();
        await Expect(page.Locator("figure.chart canvas").First).ToBeVisibleAsync();
        await Expect(page.Locator($"figure.chart tr[data-day='{today}']")).ToContainTextAsync("123.5 kB");
        await _browser.ScreenshotAsync(page, "06-traffic");

        // Audit: the admin log, filtered to the link.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).GetByRole(AriaRole.Link, new() { Name = "Audit" }).ClickAsync();
        await page.GetByLabel("Link code").FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("tbody tr").First).ToContainTextAsync("revoke");
        await Expect(page.Locator("tbody tr").Last).ToContainTextAsync("create");
        await _browser.ScreenshotAsync(page, "07-audit");

        // Presign: the URL and the headers to send; the URL works against the storage.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).GetByRole(AriaRole.Link, new() { Name = "Presign" }).ClickAsync();
        await page.GetByLabel("Bucket").SelectOptionAsync("media");
        await page.GetByLabel("Object key").FillAsync("reports/q3.pdf");
        await page.GetByLabel("Valid for (seconds)").FillAsync("600");
        await page.GetByLabel("Content-Disposition").FillAsync("attachment; filename=q3.pdf");
        await page.GetByRole(AriaRole.Button, new() { Name = "Presign" }).ClickAsync();
        var presigned = await page.Locator("#presigned-url").InputValueAsync();
        Assert.Contains("x-oss-signature=", presigned, StringComparison.Ordinal);
        await Expect(page.GetByLabel("As a curl command")).ToHaveValueAsync(new Regex("^curl -O "));
        await _browser.ScreenshotAsync(page, "08-presign");
        using (var direct = await _env.Gateway.Client.GetAsync(new Uri(presigned), Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
            Assert.Equal(ObjectSize, (await direct.Content.ReadAsByteArrayAsync(Cancel)).Length);
        }

        // A phone's width: the pages reflow instead of scrolling sideways.
        await page.SetViewportSizeAsync(390, 844);
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).GetByRole(AriaRole.Link, new() { Name = "Links" }).ClickAsync();
        // The list keeps its filters while the tab lives (q3.pdf, active): the link is revoked by now.
        await page.GetByLabel("State").SelectOptionAsync("revoked");
        await Expect(page.Locator($"tr[data-code='{code}']")).ToBeAttachedAsync();
        await AssertNoSidewaysScrollingAsync(page);
        await _browser.ScreenshotAsync(page, "09-links-phone");
        await page.GotoAsync($"console/#/links/{code}");
        await Expect(StateBadge(page)).ToHaveTextAsync("Revoked");
        await Expect(page.Locator("figure.chart canvas").First).ToBeVisibleAsync();
        await AssertNoSidewaysScrollingAsync(page);
        await _browser.ScreenshotAsync(page, "10-link-phone");

        // Sign out forgets the key.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('gateway.console.apiKey')"));

        _browser.AssertNoProblems();
    }

    [Fact]
    public async Task A_key_scoped_to_one_bucket_sees_and_is_offered_only_that_bucket()
    {
        var mine = await _env.CreateLinkAsync("team/plan.txt", new { maxDownloads = 3 });
        var other = await CreateInAsync("archive", "old/report.txt");
        var page = await _browser.NewPageAsync(_env.Gateway.BaseAddress);

        await page.GotoAsync("console/");
        await page.GetByLabel("API key").FillAsync(TeamKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Links", Level = 1 })).ToBeVisibleAsync();

        // Only what the key's scopes allow is offered: no Traffic (stats:read), no Presign (presign).
        var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Console" });
        await Expect(nav.GetByRole(AriaRole.Link)).ToHaveTextAsync(["Links", "New link", "Audit"]);

        // Its links only, and only its bucket in the filter.
        await Expect(page.Locator($"tr[data-code='{mine}']")).ToBeVisibleAsync();
        await Expect(page.Locator($"tr[data-code='{other}']")).ToHaveCountAsync(0);
        await Expect(page.GetByLabel("Bucket").Locator("option")).ToHaveTextAsync(["All buckets", "media"]);
        await _browser.ScreenshotAsync(page, "11-scoped-key-links");

        // A link of another bucket is not there for this key, even by its address.
        await page.GotoAsync($"console/#/links/{other}");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync($"No link has the code '{other}'");

        // The form offers its bucket only and requires its download limit, at most 5.
        await nav.GetByRole(AriaRole.Link, new() { Name = "New link" }).ClickAsync();
        await Expect(page.GetByLabel("Bucket").Locator("option")).ToHaveTextAsync(["media"]);
        await Expect(page.GetByLabel("Download limit")).ToHaveValueAsync("5");
        await Expect(page.GetByLabel("Download limit")).ToHaveAttributeAsync("max", "5");
        await page.GetByLabel("Object key").FillAsync("team/new.txt");
        await page.GetByLabel("Download limit").FillAsync("9");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create link" }).ClickAsync();
        await Expect(page.Locator("#field-maxDownloads-error")).ToContainTextAsync("at most 5");
        await _browser.ScreenshotAsync(page, "12-scoped-key-limit");

        _browser.AssertNoProblems();
    }

    [Fact]
    public async Task A_read_only_key_is_offered_no_change()
    {
        var code = await _env.CreateLinkAsync("read/only.txt");
        var page = await _browser.NewPageAsync(_env.Gateway.BaseAddress);

        await page.GotoAsync("console/");
        await page.GetByLabel("API key").FillAsync(GatewayTestEnvironment.ReaderKey);
        await page.GetByLabel("API key").PressAsync("Enter");
        await Expect(page.Locator($"tr[data-code='{code}']")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "New link" })).ToHaveCountAsync(0);

        // Keyboard: after a reload (the key stays for the tab) the first Tab reaches "Skip to content",
        // which leads straight to the page's first control.
        await page.ReloadAsync();
        await Expect(page.Locator($"tr[data-code='{code}']")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("main")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Searchbox, new() { Name = "Search" })).ToBeFocusedAsync();

        await page.Locator($"tr[data-code='{code}']").GetByRole(AriaRole.Link, new() { Name = code }).ClickAsync();
        await Expect(StateBadge(page)).ToHaveTextAsync("Active");
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = $"QR code of the short URL of {code}" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Revoke" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Edit" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Traffic per day" })).ToHaveCountAsync(0);

        _browser.AssertNoProblems();
    }

    [Fact]
    public async Task A_stats_only_key_gets_the_traffic_page_and_no_link_pages()
    {
        var code = await _env.CreateLinkAsync("stats/only.txt");
        await _env.PutObjectAsync("stats/only.txt", new byte[2_000]);
        using (var download = await _env.Gateway.Client.GetAsync(code, Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        }

        var page = await _browser.NewPageAsync(_env.Gateway.BaseAddress);
        await page.GotoAsync("console/#/links");
        await page.GetByLabel("API key").FillAsync(StatsKey);
        await page.GetByLabel("API key").PressAsync("Enter");

        // The links page it asked for is not its to see: it lands on Traffic, the only page offered.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Traffic", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).GetByRole(AriaRole.Link)).ToHaveTextAsync(["Traffic"]);
        var top = page.Locator("section", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Today's top links by bytes" }) }).Locator($"tr[data-code='{code}']");
        for (var attempt = 0; attempt < 60 && await top.CountAsync() == 0; attempt++)
        {
            // Counters arrive within about a second of the download; reload until they have.
            await page.WaitForTimeoutAsync(500);
            await page.ReloadAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Traffic", Level = 1 })).ToBeVisibleAsync();
        }

        await Expect(top).ToContainTextAsync("2 kB");
        await Expect(top.GetByRole(AriaRole.Link)).ToHaveCountAsync(0);
        await _browser.ScreenshotAsync(page, "14-stats-only-key");

        _browser.AssertNoProblems();
    }

    [Fact]
    public async Task A_link_is_edited_restored_and_deleted_from_its_page()
    {
        var code = await _env.CreateLinkAsync("edit/me.txt", new { tags = new[] { "draft" } });
        var page = await SignedInAsync();

        await page.GotoAsync($"console/#/links/{code}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        await page.GetByLabel("Tags").FillAsync("final, shared");
        await page.GetByLabel("Download limit").FillAsync("2");
        await page.GetByLabel("File name").FillAsync("Report.txt");
        await _browser.ScreenshotAsync(page, "13-edit");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(Counter(page, "limit")).ToHaveTextAsync("0 of 2 used");
        var link = await _env.GetLinkAsync(code);
        Assert.Equal(["final", "shared"], link.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("Report.txt", link.GetProperty("filename").GetString());

        // Keyboard only: the revoke dialog takes focus and Escape leaves everything as it was.
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        Assert.Equal("active", (await _env.GetLinkAsync(code)).GetProperty("state").GetString());

        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(StateBadge(page)).ToHaveTextAsync("Revoked");
        await page.GetByRole(AriaRole.Button, new() { Name = "Restore" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Restore" }).ClickAsync();
        await Expect(StateBadge(page)).ToHaveTextAsync("Active");

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Links", Level = 1 })).ToBeVisibleAsync();
        using var gone = await _env.Admin.GetAsync($"/api/v1/links/{code}", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        _browser.AssertNoProblems();
    }

    private async Task<IPage> SignedInAsync()
    {
        var page = await _browser.NewPageAsync(_env.Gateway.BaseAddress);
        await page.GotoAsync("console/");
        await page.GetByLabel("API key").FillAsync(GatewayTestEnvironment.AdminKey);
        await page.GetByLabel("API key").PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Links", Level = 1 })).ToBeVisibleAsync();
        return page;
    }

    private async Task<string> CreateInAsync(string bucket, string key)
    {
        using var response = await Admin.AdminJson.PostJsonAsync(_env.Admin, "/api/v1/links", $$"""{"bucket":"{{bucket}}","key":"{{key}}"}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await Admin.AdminJson.ReadAsync(response)).GetProperty("code").GetString()!;
    }

    /// <summary>The page is no wider than the window; otherwise names the elements that stick out (wide tables scroll inside their own box).</summary>
    private static async Task AssertNoSidewaysScrollingAsync(IPage page)
    {
        var wide = await page.EvaluateAsync<string[]>("""
            () => document.documentElement.scrollWidth <= window.innerWidth ? [] :
              [...document.querySelectorAll("body *")]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest(".table-wrap"))
                .map(e => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)
            """);
        Assert.True(wide.Length == 0, $"sideways scrolling at {page.ViewportSize?.Width} px: " + string.Join(", ", wide.Take(10)));
    }

    private static ILocator StateBadge(IPage page) => page.Locator(".page-head .badge");

    private static ILocator Counter(IPage page, string name) => page.Locator($"[data-counter='{name}']");

    /// <summary>Clicks Refresh until the counter shows the text: counters arrive in batches, after the download.</summary>
    private static async Task RefreshUntilAsync(IPage page, ILocator counter, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await counter.TextContentAsync() != text && DateTime.UtcNow < deadline)
        {
            await page.WaitForTimeoutAsync(250);
            await page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        }

        await Expect(counter).ToHaveTextAsync(text);
    }

    [GeneratedRegex(@"#/links/([A-Za-z0-9_-]+)$")]
    private static partial Regex LinkPage();
}
