using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Gateway.FunctionalTests.Console;

/// <summary>
/// Debian's Chromium driven by Playwright for .NET. Browsers cannot be downloaded on the CI machine, so
/// Playwright's own browser builds are never installed: the package's driver launches the system
/// browser by path (<c>GATEWAY_TEST_CHROMIUM</c>, default /usr/bin/chromium; .ci/run installs it).
/// Every page records what the browser reports as errors, CSP refusals above all.
/// </summary>
internal sealed class ConsoleBrowser : IAsyncDisposable
{
    /// <summary>
    /// Without the background-networking flags Chromium tries to reach Google's services at start,
    /// and on a closed network its connections get refused in ways that slow or break the run.
    /// </summary>
    private static readonly string[] Arguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly List<IBrowserContext> _contexts = [];

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static string ExecutablePath => Environment.GetEnvironmentVariable("GATEWAY_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Where screenshots go: GATEWAY_CONSOLE_SCREENSHOTS (.ci/run puts it under TestResults), else beside the tests.</summary>
    public static string ScreenshotDirectory => Environment.GetEnvironmentVariable("GATEWAY_CONSOLE_SCREENSHOTS") is { Length: > 0 } directory
        ? directory
        : Path.Combine(AppContext.BaseDirectory, "console-screenshots");

    /// <summary>Messages the browser reported that mean the page is broken: CSP refusals and uncaught script errors.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>Fails with every recorded problem spelt out.</summary>
    public void AssertNoProblems()
    {
        lock (Problems)
        {
            Assert.True(Problems.Count == 0, "the browser reported:\n" + string.Join("\n", Problems));
        }
    }

    public static async Task<ConsoleBrowser> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"No Chromium at {ExecutablePath}: install Debian's package (apt-get install chromium; .ci/run does) or set GATEWAY_TEST_CHROMIUM.");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = Arguments,
                Timeout = 60_000,
            });
            return new ConsoleBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A fresh browser profile (own sessionStorage) showing the gateway, in British English in Shanghai's time zone.</summary>
    public async Task<IPage> NewPageAsync(Uri gateway, int width = 1280, int height = 900)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = gateway.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-GB",
            TimezoneId = "Asia/Shanghai",
        });
        _contexts.Add(context);
        // Generous: two cores shared with other builds; assertions wait for conditions, never for time.
        context.SetDefaultTimeout(30_000);
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = gateway.GetLeftPart(UriPartial.Authority) });
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (Problems)
                {
                    Problems.Add("CSP: " + message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (Problems)
            {
                Problems.Add("script error: " + error);
            }
        };
        return page;
    }

    /// <summary>
    /// Saves a full-page screenshot under <see cref="ScreenshotDirectory"/>, attaches it to the test's
    /// result, and checks the page with axe-core (WCAG 2.1 A and AA rules): every violation is a problem.
    /// </summary>
    public async Task ScreenshotAsync(IPage page, string name)
    {
        var axe = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        // The rules did run: a page this size passes dozens (labels, names, contrast, landmarks...).
        Assert.True(axe.Passes.Length > 10, $"axe-core ran on {name}: {axe.Passes.Length} rules passed");
        TestContext.Current.TestOutputHelper?.WriteLine($"axe-core on {name}: {axe.Passes.Length} rules passed, {axe.Violations.Length} violated");
        lock (Problems)
        {
            foreach (var violation in axe.Violations)
            {
                var where = string.Join(" | ", violation.Nodes.Take(3).Select(node => node.Html));
                Problems.Add($"accessibility ({name}): {violation.Id} ({violation.Impact}): {violation.Help} at {where}");
            }
        }

        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, name + ".png");
        var bytes = await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.Current.AddAttachment(name, bytes, "image/png");
        TestContext.Current.TestOutputHelper?.WriteLine($"screenshot: {path}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }

        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
