using System.Collections.Concurrent;

namespace Gateway.FunctionalTests.Infrastructure;

/// <summary>
/// A real HTTP server on 127.0.0.1:0 that plays OSS in ways LocalOss never would: it records what
/// arrives and misbehaves on cue (stalls, dies mid-body). Used where the test is about the
/// gateway's handling of the upstream, not about OSS semantics.
/// </summary>
public sealed class ScriptedUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScriptedUpstream(WebApplication app, ConcurrentQueue<RecordedRequest> requests)
    {
        _app = app;
        Requests = requests;
    }

    /// <summary>Requests as received.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; }

    public Uri BaseAddress => new(_app.Urls.First());

    public static async Task<ScriptedUpstream> StartAsync(Func<HttpContext, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var requests = new ConcurrentQueue<RecordedRequest>();
        app.Run(context =>
        {
            var rawTarget = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget;
            var headers = new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase));
            requests.Enqueue(new RecordedRequest(context.Request.Method, rawTarget, headers));
            return handler(context);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new ScriptedUpstream(app, requests);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}

/// <summary>One request as the upstream saw it.</summary>
public sealed record RecordedRequest(string Method, string RawTarget, IHeaderDictionary Headers);
