using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.FunctionalTests.Metering;

namespace Gateway.FunctionalTests.Telemetry;

/// <summary>
/// The Grafana dashboard (<c>config/grafana/gateway.json</c>) may only query what the gateway exports:
/// every metric name in every query, and every label it filters or groups by, must appear in a real
/// <c>/metrics</c> scrape after downloads and a link-store outage. Renaming an instrument or a tag
/// without the dashboard fails here.
/// </summary>
public sealed partial class DashboardTests : IAsyncLifetime
{
    /// <summary>Labels Prometheus adds at scrape time, and the bucket bound of histograms.</summary>
    private static readonly HashSet<string> ScrapeLabels = ["job", "instance", "le"];

    /// <summary>PromQL words that look like metric names but are not.</summary>
    private static readonly HashSet<string> Keywords = ["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless", "inf", "nan"];

    private FaultProxiedEnvironment _setup = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private GatewayTestEnvironment Env => _setup.Environment;

    private TcpFaultProxy Proxy => _setup.Proxy;

    public async ValueTask InitializeAsync() => _setup = await FaultProxiedEnvironment.StartAsync();

    public ValueTask DisposeAsync() => _setup.DisposeAsync();

    [Fact]
    public void The_dashboard_has_the_promised_panels()
    {
        var dashboard = LoadDashboard();

        var titles = dashboard.GetProperty("panels").EnumerateArray().Select(p => p.GetProperty("title").GetString()).ToArray();
        Assert.Superset(
            new HashSet<string?> { "Request rate", "Bytes per second by bucket", "HTTP status classes", "Upstream time to first byte", "Active downloads", "Aborted downloads", "Link-store errors" },
            titles.ToHashSet());
        var ttfb = Panel(dashboard, "Upstream time to first byte");
        Assert.Contains(ttfb, e => e.StartsWith("histogram_quantile(0.5,", StringComparison.Ordinal));
        Assert.Contains(ttfb, e => e.StartsWith("histogram_quantile(0.99,", StringComparison.Ordinal));
        // Per-link numbers live in the stats API; no series is ever labelled with a link code.
        Assert.All(Queries(dashboard), q => Assert.DoesNotMatch(@"\b(gateway_)?(link_)?code\b", q.Query));
    }

    [Fact]
    public async Task Every_metric_and_label_the_dashboard_queries_is_exported_at_metrics()
    {
        await Env.PutObjectAsync("dash.bin", new byte[30_000]);
        using (var large = new PatternStream(16 * 1024 * 1024))
        {
            await Env.PutObjectAsync("dash-large.bin", large);
        }

        var code = await Env.CreateLinkAsync("dash.bin");
        var largeCode = await Env.CreateLinkAsync("dash-large.bin");
        var client = Env.Gateway.Client;
        using (var response = await client.GetAsync($"/{code}", Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var partial = Env.Gateway.CreateClient())
        using (var response = await partial.GetAsync($"/{largeCode}", HttpCompletionOption.ResponseHeadersRead, Cancel))
        {
            await (await response.Content.ReadAsStreamAsync(Cancel)).ReadExactlyAsync(new byte[64 * 1024], Cancel);
        }

        Proxy.Refuse();
        using (var refused = await client.GetAsync($"/{code}", Cancel))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        Proxy.Pass();

        var dashboard = LoadDashboard();
        var queries = Queries(dashboard).ToArray();
        Assert.True(queries.Length >= 10, "the dashboard has queries");

        // Scrapes are cached briefly and the abort is reported a moment after the client left: retry until all is there.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        List<string> missing;
        do
        {
            await Task.Delay(400, Cancel);
            var scrape = PrometheusScrape.Parse(await client.GetStringAsync("/metrics", Cancel));
            missing = [.. queries.SelectMany(q => Problems(q.Where, q.Query, scrape))];
        }
        while (missing.Count > 0 && DateTime.UtcNow < deadline);

        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    /// <summary>What in one query the scrape does not have.</summary>
    private static IEnumerable<string> Problems(string where, string query, PrometheusScrape scrape)
    {
        var (metrics, selectorLabels, groupLabels, madeLabels) = Parse(query);
        Assert.NotEmpty(metrics);
        var exported = new HashSet<string>(scrape.Names, StringComparer.Ordinal);
        var labelsOf = metrics.ToDictionary(m => m, m => scrape.Samples.Where(s => s.Name == m).SelectMany(s => s.Labels.Keys).ToHashSet());
        foreach (var metric in metrics.Where(m => !exported.Contains(m)))
        {
            yield return $"{where}: metric {metric} is not exported";
        }

        foreach (var (metric, label) in selectorLabels.Where(l => !ScrapeLabels.Contains(l.Label)))
        {
            if (exported.Contains(metric) && !labelsOf[metric].Contains(label))
            {
                yield return $"{where}: {metric} has no label {label}";
            }
        }

        var anyLabels = labelsOf.Values.SelectMany(l => l).Concat(madeLabels).Concat(ScrapeLabels).ToHashSet();
        foreach (var label in groupLabels.Where(l => !anyLabels.Contains(l)))
        {
            yield return $"{where}: no metric of the query has the label {label} it groups by";
        }
    }

    /// <summary>
    /// Metric names, the labels of their selectors, the labels of <c>by (...)</c>, and labels that
    /// <c>label_replace</c> makes. Grafana's <c>label_values(selector, label)</c> counts as a selector and a grouping.
    /// </summary>
    private static (HashSet<string> Metrics, List<(string Metric, string Label)> SelectorLabels, HashSet<string> GroupLabels, HashSet<string> MadeLabels) Parse(string query)
    {
        var made = new HashSet<string>();
        var groups = new HashSet<string>();
        foreach (Match match in LabelReplace().Matches(query))
        {
            made.Add(match.Groups["dst"].Value);
            groups.Add(match.Groups["src"].Value);
        }

        foreach (Match match in LabelValues().Matches(query))
        {
            groups.Add(match.Groups["label"].Value);
        }

        var text = LabelValues().Replace(query, "${selector}");
        foreach (Match match in Grouping().Matches(text))
        {
            foreach (var label in match.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                groups.Add(label);
            }
        }

        text = Grouping().Replace(text, " ");
        var selectorLabels = new List<(string, string)>();
        foreach (Match match in Selector().Matches(text))
        {
            foreach (Match matcher in Matcher().Matches(match.Groups[2].Value))
            {
                selectorLabels.Add((match.Groups[1].Value, matcher.Groups[1].Value));
            }
        }

        text = Selector().Replace(text, "$1 ");
        text = Strings().Replace(text, " ");
        text = Ranges().Replace(text, " ");
        var metrics = Identifier().Matches(text)
            .Where(m => !Keywords.Contains(m.Value) && !text.AsSpan(m.Index + m.Length).TrimStart().StartsWith("("))
            .Select(m => m.Value)
            .ToHashSet();
        return (metrics, selectorLabels, groups, made);
    }

    private static IEnumerable<(string Where, string Query)> Queries(JsonElement dashboard)
    {
        foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
        {
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                yield return ($"panel '{panel.GetProperty("title").GetString()}'", target.GetProperty("expr").GetString()!);
            }
        }

        foreach (var variable in dashboard.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.GetProperty("type").GetString() == "query")
            {
                yield return ($"variable '{variable.GetProperty("name").GetString()}'", variable.GetProperty("query").GetProperty("query").GetString()!);
            }
        }
    }

    private static string[] Panel(JsonElement dashboard, string title) =>
        [.. dashboard.GetProperty("panels").EnumerateArray()
            .Single(p => p.GetProperty("title").GetString() == title)
            .GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!)];

    private static JsonElement LoadDashboard()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Gateway.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        return JsonDocument.Parse(File.ReadAllText(Path.Combine(directory.FullName, "config", "grafana", "gateway.json"))).RootElement.Clone();
    }

    /// <summary>The four string arguments that end a <c>label_replace(v, "dst", "replacement", "src", "regex")</c>.</summary>
    [GeneratedRegex(@",\s*""(?<dst>[A-Za-z_][A-Za-z0-9_]*)""\s*,\s*""(?:[^""\\]|\\.)*""\s*,\s*""(?<src>[A-Za-z_][A-Za-z0-9_]*)""\s*,\s*""(?:[^""\\]|\\.)*""\s*\)")]
    private static partial Regex LabelReplace();

    /// <summary>Grafana's <c>label_values(selector, label)</c>.</summary>
    [GeneratedRegex("""label_values\(\s*(?<selector>[A-Za-z_:][A-Za-z0-9_:]*(?:\{[^}]*\})?)\s*,\s*(?<label>[A-Za-z_][A-Za-z0-9_]*)\s*\)""")]
    private static partial Regex LabelValues();

    [GeneratedRegex("""\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)""")]
    private static partial Regex Grouping();

    [GeneratedRegex("""([A-Za-z_:][A-Za-z0-9_:]*)\s*\{([^}]*)\}""")]
    private static partial Regex Selector();

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)\s*""(?:[^""\\]|\\.)*""")]
    private static partial Regex Matcher();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""|'(?:[^'\\]|\\.)*'")]
    private static partial Regex Strings();

    [GeneratedRegex("""\[[^\]]*\]""")]
    private static partial Regex Ranges();

    [GeneratedRegex("""(?<![\w.$])[A-Za-z_:][A-Za-z0-9_:]*""")]
    private static partial Regex Identifier();
}
