using Gateway.Downloads;
using Gateway.Hosting;
using Gateway.Links;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Downloads;

public sealed class PreviewPageTests
{
    [Theory]
    [InlineData(0, "0 bytes")]
    [InlineData(1, "1 byte")]
    [InlineData(999, "999 bytes")]
    [InlineData(1000, "1.0 KB")]
    [InlineData(12_345, "12.3 KB")]
    [InlineData(999_949, "999.9 KB")]
    [InlineData(999_950, "1.0 MB")]
    [InlineData(4_700_000_000, "4.7 GB")]
    [InlineData(long.MaxValue, "9.2 EB")]
    public void Sizes_read_as_download_dialogs_show_them(long bytes, string expected) =>
        Assert.Equal(expected, PreviewPage.FormatSize(bytes));

    [Fact]
    public void The_name_is_text_in_every_place_it_appears()
    {
        var page = PreviewPage.Render("\"><script>alert(1)</script>&報告.pdf", 10);

        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("\"><", page, StringComparison.Ordinal);
        Assert.Contains("<meta property=\"og:title\" content=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;報告.pdf\">", page, StringComparison.Ordinal);
        Assert.Contains("<title>&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;報告.pdf</title>", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_size_the_description_says_only_what_the_link_is() =>
        Assert.Contains("<meta property=\"og:description\" content=\"Download link\">", PreviewPage.Render("a.pdf", null), StringComparison.Ordinal);

    [Theory]
    [InlineData("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", true)]
    [InlineData("TELEGRAMBOT (like TwitterBot)", true)]
    [InlineData("Mozilla/5.0 (compatible; discordbot/2.0; +https://discordapp.com)", true)]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", false)]
    [InlineData("curl/8.5.0", false)]
    [InlineData("", false)]
    public void The_built_in_list_matches_any_case(string userAgent, bool isBot)
    {
        var bots = new PreviewBots(Options.Create(new GatewayOptions()));
        var context = new DefaultHttpContext();
        context.Request.Headers.UserAgent = userAgent;

        Assert.Equal(isBot, bots.IsPreviewBot(context.Request));
    }

    [Theory]
    [InlineData("serve", null, false)]
    [InlineData("serve", 5L, true)]
    [InlineData("page", null, true)]
    [InlineData("PAGE", 5L, true)]
    public void Limited_links_always_give_bots_the_page_and_unlimited_ones_as_configured(string mode, long? maxDownloads, bool page)
    {
        var bots = new PreviewBots(Options.Create(new GatewayOptions { Downloads = { PreviewBots = mode } }));
        var context = new DefaultHttpContext();
        context.Request.Headers.UserAgent = "Twitterbot/1.0";
        var link = new Link { Code = "abc", Bucket = "b", Key = "k", MaxDownloads = maxDownloads, CreatedAt = DateTimeOffset.UnixEpoch };

        Assert.Equal(page, bots.GetsPage(context.Request, link));
    }
}
