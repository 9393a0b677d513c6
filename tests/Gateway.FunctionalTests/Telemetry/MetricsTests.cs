using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.FunctionalTests.Metering;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using static Gateway.FunctionalTests.Metering.StatsRequests;

namespace Gateway.FunctionalTests.Telemetry;

/// <summary>The <c>Gateway</c> meter, read with OpenTelemetry's in-memory exporter, and the Prometheus scrape.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class MetricsTests : IAsyncLifetime
{
    private const int SmallSize = 50_000;
    private const long LargeSize = 64L * 1024 * 1024;

    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _env = await GatewayTestEnvironment.StartAsync();

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task Downloads_are_measured_with_units_and_low_cardinality_tags_only()
    {
        var exported = new List<MetricSnapshot>();
        using var meters = Sdk.CreateMeterProviderBuilder()
            .AddMeter("Gateway")
            .AddInMemoryExporter(exported)
            .Build();

        await _env.PutObjectAsync("small.bin", new byte[SmallSize]);
        using (var content = new PatternStream(LargeSize))
        {
            await _env.PutObjectAsync("large.bin", content);
        }

        var small = await _env.CreateLinkAsync("small.bin");
        var large = await _env.CreateLinkAsync("large.bin");
        var redirect = await _env.CreateLinkAsync("small.bin", new { mode = "redirect" });
        var client = _env.Gateway.Client;

        using (var full = await client.GetAsync($"/{small}", Cancel))
        {
            Assert.Equal(SmallSize, (await full.Content.ReadAsByteArrayAsync(Cancel)).Length);
        }

        using (var range = new HttpRequestMessage(HttpMethod.Get, $"/{small}"))
        {
            range.Headers.Range = new RangeHeaderValue(0, 99);
            using var ranged = await client.SendAsync(range, Cancel);
            Assert.Equal(100, (await ranged.Content.ReadAsByteArrayAsync(Cancel)).Length);
        }

        EntityTagHeaderValue etag;
        using (var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/{small}"), Cancel))
        {
            etag = head.Headers.ETag!;
        }

        using (var conditional = new HttpRequestMessage(HttpMethod.Get, $"/{small}"))
        {
            conditional.Headers.IfNoneMatch.Add(etag);
            using var notModified = await client.SendAsync(conditional, Cancel);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }

        using (var partial = _env.Gateway.CreateClient())
        using (var response = await partial.GetAsync($"/{large}", HttpCompletionOption.ResponseHeadersRead, Cancel))
        {
            var body = await response.Content.ReadAsStreamAsync(Cancel);
            await body.ReadExactlyAsync(new byte[256 * 1024], Cancel);
        }

        using (var redirected = await client.GetAsync($"/{redirect}", Cancel))
        {
            Assert.Equal(HttpStatusCode.Found, redirected.StatusCode);
        }

        using (var unknown = await client.GetAsync("/nosuchlink", Cancel))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        // The per-link numbers have landed once every download has been reported.
        var largeStats = await WaitForAsync(_env.Admin, $"/api/v1/links/{large}/stats", s => s.GetProperty("totals").Long("aborted") == 1);
        await WaitForAsync(_env.Admin, $"/api/v1/links/{small}/stats", s => s.GetProperty("totals").Long("downloads") == 2);
        var largeBytes = largeStats.GetProperty("totals").Long("bytes");

        meters.ForceFlush();
        var metrics = exported.GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.Last());

        Assert.Equal(
            [
                ("gateway.download.bytes", "By", MetricType.LongSum),
                ("gateway.download.duration", "s", MetricType.Histogram),
                ("gateway.downloads", "{download}", MetricType.LongSum),
                ("gateway.downloads.active", "{download}", MetricType.LongSumNonMonotonic),
                ("gateway.link.resolve.duration", "s", MetricType.Histogram),
                ("gateway.metering.backlog", "{entry}", MetricType.LongSumNonMonotonic),
                ("gateway.upstream.time_to_first_byte", "s", MetricType.Histogram),
                ("gateway.webhook.backlog", "{job}", MetricType.LongSumNonMonotonic),
            ],
            metrics.Values.Select(m => (m.Name, m.Unit, m.MetricType)).Order());

        string[] codes = [small, large, redirect];
        var allowedTags = new HashSet<string> { "gateway.bucket", "gateway.mode", "gateway.result" };
        foreach (var metric in metrics.Values)
        {
            foreach (var point in metric.MetricPoints)
            {
                foreach (var tag in point.Tags)
                {
                    Assert.Contains(tag.Key, allowedTags);
                    Assert.DoesNotContain(tag.Value?.ToString(), codes);
                }
            }
        }

        var downloads = Points(metrics["gateway.downloads"], p => p.GetSumLong());
        Assert.Equal(4, downloads[("media", "proxy", "started")]);
        Assert.Equal(2, downloads[("media", "proxy", "completed")]);
        Assert.Equal(1, downloads[("media", "proxy", "aborted")]);
        Assert.Equal(1, downloads[("media", "redirect", "started")]);
        Assert.Equal(1, downloads[("media", "redirect", "completed")]);
        Assert.Equal(5, downloads.Count);

        // The meter and the store agree to the byte.
        var bytes = Points(metrics["gateway.download.bytes"], p => p.GetSumLong());
        Assert.Equal(SmallSize + 100 + largeBytes, Assert.Single(bytes).Value);
        Assert.All(Points(metrics["gateway.downloads.active"], p => p.GetSumLong()).Values, active => Assert.Equal(0, active));

        var resolves = Points(metrics["gateway.link.resolve.duration"], p => p.GetHistogramCount());
        Assert.Equal(6, resolves[(null, null, "found")]);
        Assert.Equal(1, resolves[(null, null, "not_found")]);

        // Every request that went to OSS (GET, range, HEAD, 304, the aborted one) has a time to first byte; the redirect has none.
        Assert.Equal(5, Assert.Single(Points(metrics["gateway.upstream.time_to_first_byte"], p => p.GetHistogramCount())).Value);

        var durations = Points(metrics["gateway.download.duration"], p => p.GetHistogramCount());
        Assert.Equal(2, durations[("media", "proxy", "completed")]);
        Assert.Equal(1, durations[("media", "proxy", "aborted")]);
        Assert.Equal(1, durations[("media", "redirect", "completed")]);
        var bounds = BucketBounds(metrics["gateway.download.duration"]);
        Assert.Contains(3600, bounds);
        Assert.Contains(86400, bounds);
    }

    [Fact]
    public async Task The_scrape_has_long_request_buckets_and_leaves_itself_out_of_the_HTTP_metrics()
    {
        await _env.PutObjectAsync("a.bin", new byte[10]);
        var code = await _env.CreateLinkAsync("a.bin");
        using (var response = await _env.Gateway.Client.GetAsync($"/{code}", Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        for (var i = 0; i < 3; i++)
        {
            await _env.Gateway.Client.GetStringAsync("/metrics", Cancel);
            await Task.Delay(400, Cancel);
        }

        var scrape = PrometheusScrape.Parse(await _env.Gateway.Client.GetStringAsync("/metrics", Cancel));

        var requestBuckets = scrape.Samples.Where(s => s.Name == "http_server_request_duration_seconds_bucket").ToArray();
        Assert.Contains(requestBuckets, s => s.Labels["le"] == "3600" && s.Labels.GetValueOrDefault("http_route") == "/{code}");
        Assert.DoesNotContain(requestBuckets, s => s.Labels.GetValueOrDefault("http_route") == "/metrics");
        Assert.Equal(1, scrape.Sum("gateway_downloads_total", l => l.GetValueOrDefault("gateway_result") == "completed"));

        // The GET to OSS is timed once, by gateway.upstream.time_to_first_byte, not a second time as an
        // HttpClient request (the test's own PUT of the object is one); the upstream pool's connections
        // are still measured.
        var oss = _env.Oss.BaseAddress.Port.ToString(CultureInfo.InvariantCulture);
        Assert.Equal(1, scrape.Sum("gateway_upstream_time_to_first_byte_seconds_count"));
        Assert.True(scrape.Sum("http_client_request_duration_seconds_count", l => l.GetValueOrDefault("server_port") == oss && l.GetValueOrDefault("http_request_method") == "PUT") > 0);
        Assert.DoesNotContain(scrape.Samples, s => s.Name.StartsWith("http_client_request_duration", StringComparison.Ordinal) && s.Labels.GetValueOrDefault("server_port") == oss && s.Labels.GetValueOrDefault("http_request_method") == "GET");
        Assert.Contains(scrape.Samples, s => s.Name == "http_client_open_connections" && s.Labels.GetValueOrDefault("server_port") == oss);

        // Per-request instruments that only duplicate the above are not collected at all.
        Assert.Contains(scrape.Samples, s => s.Name == "gateway_downloads_active");
        Assert.Contains(scrape.Samples, s => s.Name == "aspnetcore_memory_pool_allocated_bytes_total");
        string[] dropped =
        [
            "http_server_active_requests", "http_client_active_requests", "http_client_request_time_in_queue", "aspnetcore_routing_match_attempts",
            "aspnetcore_memory_pool_rented", "aspnetcore_memory_pool_pooled",
        ];
        Assert.DoesNotContain(scrape.Samples, s => dropped.Any(name => s.Name.StartsWith(name, StringComparison.Ordinal)));
    }

    private static Dictionary<(string? Bucket, string? Mode, string? Result), long> Points(MetricSnapshot metric, Func<MetricPoint, long> value)
    {
        var points = new Dictionary<(string?, string?, string?), long>();
        foreach (var point in metric.MetricPoints)
        {
            string? bucket = null, mode = null, result = null;
            foreach (var tag in point.Tags)
            {
                switch (tag.Key)
                {
                    case "gateway.bucket": bucket = (string?)tag.Value; break;
                    case "gateway.mode": mode = (string?)tag.Value; break;
                    case "gateway.result": result = (string?)tag.Value; break;
                }
            }

            points[(bucket, mode, result)] = value(point);
        }

        return points;
    }

    private static List<double> BucketBounds(MetricSnapshot histogram)
    {
        var bounds = new List<double>();
        foreach (var bucket in histogram.MetricPoints[0].GetHistogramBuckets())
        {
            bounds.Add(bucket.ExplicitBound);
        }

        return bounds;
    }
}
