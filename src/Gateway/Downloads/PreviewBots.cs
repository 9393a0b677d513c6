using System.Buffers;
using Gateway.Hosting;
using Gateway.Links;
using Microsoft.Extensions.Options;

namespace Gateway.Downloads;

/// <summary>
/// Recognises the fetchers chat apps send to build a link preview (by a User-Agent substring, any case) and
/// decides which links they get the preview page for instead of the object: always the download-limited ones,
/// whose limit a preview must never use up, and the others too when <c>Gateway:Downloads:PreviewBots</c> is
/// <c>page</c>.
/// </summary>
internal sealed class PreviewBots
{
    public const string PageMode = "page";

    public const string ServeMode = "serve";

    /// <summary>
    /// Slack, Facebook and Messenger, X/Twitter, WhatsApp, Telegram, Discord, LinkedIn, Skype, Microsoft Teams and
    /// Outlook (MicrosoftPreview), and iMessage, whose fetcher calls itself facebookexternalhit and Twitterbot.
    /// </summary>
    public static readonly string[] DefaultUserAgents =
    [
        "Slackbot", "facebookexternalhit", "Twitterbot", "WhatsApp", "TelegramBot", "Discordbot", "LinkedInBot",
        "SkypeUriPreview", "MicrosoftPreview",
    ];

    private readonly SearchValues<string> _agents;
    private readonly bool _pageForUnlimited;

    public PreviewBots(IOptions<GatewayOptions> options)
    {
        var downloads = options.Value.Downloads;
        _agents = SearchValues.Create(downloads.PreviewBotUserAgents ?? DefaultUserAgents, StringComparison.OrdinalIgnoreCase);
        _pageForUnlimited = TryParseMode(downloads.PreviewBots, out var page) && page;
    }

    public static bool TryParseMode(string? value, out bool page)
    {
        page = string.Equals(value, PageMode, StringComparison.OrdinalIgnoreCase);
        return page || string.Equals(value, ServeMode, StringComparison.OrdinalIgnoreCase);
    }

    public bool IsPreviewBot(HttpRequest request)
    {
        var userAgent = request.Headers.UserAgent;
        foreach (var value in userAgent)
        {
            if (value is not null && value.AsSpan().ContainsAny(_agents))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when this request is a preview bot's and the link gives bots the page rather than the object.</summary>
    public bool GetsPage(HttpRequest request, Link link) =>
        (link.MaxDownloads is not null || _pageForUnlimited) && IsPreviewBot(request);
}
