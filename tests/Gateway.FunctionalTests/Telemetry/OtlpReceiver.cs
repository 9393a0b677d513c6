using System.Collections.Concurrent;
using System.IO.Compression;

namespace Gateway.FunctionalTests.Telemetry;

/// <summary>
/// An OTLP/HTTP (protobuf) endpoint on 127.0.0.1:0 that keeps every payload it is sent, per signal
/// (<c>traces</c>, <c>metrics</c>, <c>logs</c>). Protobuf carries strings as plain UTF-8, so a
/// payload can be searched as text without decoding it.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app, ConcurrentQueue<(string Signal, byte[] Body)> payloads)
    {
        _app = app;
        Payloads = payloads;
    }

    public ConcurrentQueue<(string Signal, byte[] Body)> Payloads { get; }

    public Uri BaseAddress => new(_app.Urls.First());

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var payloads = new ConcurrentQueue<(string, byte[])>();
        app.MapPost("/v1/{signal}", async (string signal, HttpContext context) =>
        {
            var body = context.Request.Body;
            if (context.Request.Headers.ContentEncoding == "gzip")
            {
                body = new GZipStream(body, CompressionMode.Decompress);
            }

            using var buffer = new MemoryStream();
            await body.CopyToAsync(buffer, context.RequestAborted);
            payloads.Enqueue((signal, buffer.ToArray()));

            // An empty Export*ServiceResponse: everything accepted.
            context.Response.ContentType = "application/x-protobuf";
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new OtlpReceiver(app, payloads);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
