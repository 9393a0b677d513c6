using System.Diagnostics;
using System.Net;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.FunctionalTests.Metering;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Gateway.FunctionalTests.Telemetry;

/// <summary>The spans of a download: the server span, the link resolution inside it, and the upstream request to OSS.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class TracingTests : IAsyncLifetime
{
    private FaultProxiedEnvironment _setup = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private GatewayTestEnvironment Env => _setup.Environment;

    private TcpFaultProxy Proxy => _setup.Proxy;

    public async ValueTask InitializeAsync() =>
        _setup = await FaultProxiedEnvironment.StartAsync(settings => settings["Gateway:Telemetry:Tracing"] = "true");

    public ValueTask DisposeAsync() => _setup.DisposeAsync();

    [Fact]
    public async Task A_download_is_one_trace_of_server_resolve_and_upstream_spans()
    {
        await Env.PutObjectAsync("traced.bin", new byte[4096]);
        var code = await Env.CreateLinkAsync("traced.bin");
        var spans = new LockedList<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource("Gateway", "Microsoft.AspNetCore", "System.Net.Http")
            .AddInMemoryExporter(spans)
            .Build())
        {
            using (var response = await Env.Gateway.Client.GetAsync($"/{code}", Cancel))
            {
                Assert.Equal(4096, (await response.Content.ReadAsByteArrayAsync(Cancel)).Length);
            }

            await Env.Gateway.Client.GetStringAsync("/metrics", Cancel);
            await Env.Gateway.Client.GetStringAsync("/healthz", Cancel);
            await WaitForSpanAsync(spans, s => s.Kind == ActivityKind.Server && Tag(s, "url.path") == $"/{code}");
            tracing.ForceFlush();
        }

        var server = Assert.Single(spans, s => s.Kind == ActivityKind.Server && Tag(s, "url.path") == $"/{code}");
        Assert.Equal("/{code}", Tag(server, "http.route"));
        Assert.Equal("200", Tag(server, "http.response.status_code"));

        var resolve = Assert.Single(spans, s => s.Source.Name == "Gateway" && s.OperationName == "gateway.link.resolve");
        Assert.Equal(server.SpanId, resolve.ParentSpanId);
        Assert.Equal(server.TraceId, resolve.TraceId);
        Assert.Equal(ActivityKind.Internal, resolve.Kind);
        Assert.NotEqual(ActivityStatusCode.Error, resolve.Status);

        var upstream = Assert.Single(spans, s => s.Kind == ActivityKind.Client && s.ParentSpanId == server.SpanId);
        Assert.Equal("System.Net.Http", upstream.Source.Name);
        Assert.Equal("200", Tag(upstream, "http.response.status_code"));
        Assert.Equal($"{Env.Oss.BaseAddress.ToString().TrimEnd('/')}/{GatewayTestEnvironment.BucketName}/traced.bin", Tag(upstream, "url.full"));

        // The gateway propagates the trace to OSS: LocalOss's server span is a child of the upstream span.
        var oss = Assert.Single(spans, s => s.Kind == ActivityKind.Server && s.ParentSpanId == upstream.SpanId);
        Assert.Equal(server.TraceId, oss.TraceId);

        // Scrapes and probes are not traced.
        Assert.DoesNotContain(spans, s => Tag(s, "url.path") is "/metrics" or "/healthz");
    }

    [Fact]
    public async Task A_link_store_outage_marks_the_resolve_span_as_failed()
    {
        var code = await Env.CreateLinkAsync("x.bin");
        var spans = new LockedList<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource("Gateway").AddInMemoryExporter(spans).Build())
        {
            Proxy.Refuse();
            using var response = await Env.Gateway.Client.GetAsync($"/{code}", Cancel);
            Proxy.Pass();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            tracing.ForceFlush();
        }

        var resolve = Assert.Single(spans, s => s.OperationName == "gateway.link.resolve");
        Assert.Equal(ActivityStatusCode.Error, resolve.Status);
    }

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name)?.ToString();

    /// <summary>The server span ends a moment after the client has the whole response.</summary>
    private static async Task WaitForSpanAsync(LockedList<Activity> spans, Func<Activity, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && !spans.Snapshot().Any(match))
        {
            await Task.Delay(50, Cancel);
        }
    }
}
