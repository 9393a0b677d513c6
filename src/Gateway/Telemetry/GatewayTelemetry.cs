using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gateway.Telemetry;

/// <summary>
/// OpenTelemetry is wired here and nowhere else: the <c>Gateway</c> meter and trace source, ASP.NET
/// Core, HttpClient (the upstream requests YARP makes) and runtime instrumentation, logs through
/// OpenTelemetry, Prometheus at <c>/metrics</c>, and OTLP for all three signals when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
internal static class GatewayTelemetry
{
    public const string MeterName = GatewayMetrics.MeterName;
    public const string ActivitySourceName = "Gateway";
    public const string ScrapePath = "/metrics";

    private const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>Records spans even without an OTLP exporter, for an in-process listener (tests, diagnostics).</summary>
    public const string TracingSetting = "Gateway:Telemetry:Tracing";

    public static WebApplicationBuilder AddGatewayTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GatewayMetrics>();

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("gateway"))
            .WithMetrics(metrics => metrics
                .AddMeter(MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddView(StreamOf)
                .AddPrometheusExporter())
            .WithLogging(
                configureBuilder: null,
                configureOptions: options =>
                {
                    options.IncludeFormattedMessage = true;
                    options.IncludeScopes = true;
                });

        var exportsOtlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        // Spans are recorded only when something consumes them: sampling every request with no
        // exporter cost a quarter of the small-file throughput (load script: 2325 vs 3072 req/s).
        if (exportsOtlp || builder.Configuration.GetValue<bool>(TracingSetting))
        {
            otel.WithTracing(tracing => tracing
                .AddSource(ActivitySourceName)
                .AddAspNetCoreInstrumentation(options => options.Filter = static context => !IsInfrastructure(context.Request.Path))
                .AddHttpClientInstrumentation());
        }
        else
        {
            // ASP.NET Core starts an Activity for every request while its hosting logger is enabled at
            // any level, and HttpClient then starts a child and sends traceparent upstream: two spans
            // per download that nothing records (about 1.5 KB of allocation per download; without them
            // a download costs 0.84x the CPU). That logger only writes request start/finish lines,
            // which carry full URLs and are kept out of the logs anyway (PITFALLS 22).
            builder.Logging.AddFilter(HostingDiagnosticsCategory, LogLevel.None);
        }

        if (exportsOtlp)
        {
            otel.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Prometheus scrapes are kept out of the HTTP metrics (they would dominate request rates and
    /// latencies) and, like health probes, out of traces.
    /// </summary>
    public static IEndpointRouteBuilder MapGatewayTelemetry(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint(ScrapePath).DisableHttpMetrics().ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// How each instrument is collected (null: as its advice says). Dropped are instruments updated on
    /// every download that say nothing the exported metrics do not: in-flight counts duplicate
    /// <c>gateway.downloads.active</c>, the upstream pool never queues (no connection limit), every
    /// download matches the same route, each download's upstream request is timed by
    /// <c>gateway.upstream.time_to_first_byte</c> (see <see cref="UpstreamMeterFactory"/>), and Kestrel's
    /// buffer pool is measured by what it allocates and evicts. A dropped instrument has no listener, so
    /// the runtime skips it entirely. CPU per download with two gateways under the same load: 0.97x for
    /// the first four, 0.97x for the upstream request duration, 0.98x for the buffer pool's two
    /// (<c>compare.sh</c>, 2026-12-01).
    /// </summary>
    private static MetricStreamConfiguration? StreamOf(Instrument instrument) => instrument.Name switch
    {
        "http.server.active_requests" or "http.client.active_requests" or "http.client.request.time_in_queue" or "aspnetcore.routing.match_attempts"
            => MetricStreamConfiguration.Drop,
        // Updated on every rent and return of a Kestrel buffer (several per download); allocated minus
        // evicted, which change only when the pool grows or shrinks, is the memory it holds.
        "aspnetcore.memory_pool.rented" or "aspnetcore.memory_pool.pooled" => MetricStreamConfiguration.Drop,
        "http.client.request.duration" when instrument.Meter.Scope is UpstreamMeterFactory => MetricStreamConfiguration.Drop,
        // A download is one HTTP request on each side; with the default buckets (up to 10 s) every
        // real download would land in +Inf (PITFALLS 20).
        "http.server.request.duration" or "http.client.request.duration"
            => new ExplicitBucketHistogramConfiguration { Boundaries = [.. GatewayMetrics.LongDurationBuckets] },
        _ => null,
    };

    private static bool IsInfrastructure(PathString path) =>
        path.StartsWithSegments(ScrapePath, StringComparison.Ordinal)
        || path.StartsWithSegments("/healthz", StringComparison.Ordinal)
        || path.StartsWithSegments("/readyz", StringComparison.Ordinal);
}
