using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gateway.FunctionalTests.Webhooks;

/// <summary>
/// A real webhook receiver for tests: Kestrel on 127.0.0.1:0 that records every request (path, headers,
/// the exact body bytes) and checks its Standard Webhooks signature against the secrets it was told
/// (<see cref="Secrets"/>), with its own HMAC-SHA256 (not the gateway's code). It answers 204 unless told
/// otherwise: <see cref="FailNext"/> answers the next N requests with an error status,
/// <see cref="Hang"/> holds requests open until <see cref="Release"/>, and <see cref="Respond"/> replaces the
/// answer altogether (a redirect, say). The gateway reaches it over plain http, so its tests set
/// <c>Gateway:Webhooks:AllowPrivateNetworks=true</c> (see <see cref="WebhookSettings"/>).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _failNext;
    private int _failStatus = 500;
    private volatile bool _hang;
    private volatile Func<HttpContext, Task>? _respond;

    private WebhookReceiver(WebApplication app)
    {
        _app = app;
        _app.Run(HandleAsync);
    }

    /// <summary>The URL to register: <c>http://127.0.0.1:{port}/hook</c>.</summary>
    public Uri Url => new(new Uri(_app.Urls.First()), "/hook");

    public Uri BaseAddress => new(_app.Urls.First());

    /// <summary>The <c>whsec_</c> secrets a signature may be made with; set it from the create (or rotate) answer.</summary>
    public IReadOnlyList<string> Secrets { get; set; } = [];

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = new WebhookReceiver(builder.Build());
        await receiver._app.StartAsync(TestContext.Current.CancellationToken);
        return receiver;
    }

    /// <summary>Answers the next <paramref name="count"/> requests with <paramref name="status"/> (recorded all the same).</summary>
    public void FailNext(int count, int status = 500)
    {
        _failStatus = status;
        Volatile.Write(ref _failNext, count);
    }

    /// <summary>Holds every request open (after recording it) until <see cref="Release"/>.</summary>
    public void Hang() => _hang = true;

    public void Release()
    {
        _hang = false;
        Interlocked.Exchange(ref _release, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Answers with <paramref name="respond"/> instead of 204 (null: back to 204).</summary>
    public void Respond(Func<HttpContext, Task>? respond) => _respond = respond;

    /// <summary>Waits until at least <paramref name="count"/> requests arrived; fails the test after <paramref name="timeout"/> (default 20 s).</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        Assert.True(await ArrivedAsync(count, limit), $"the receiver got {_received.Count} of {count} webhook requests in {limit.TotalSeconds} s");
        return Received;
    }

    /// <summary>Waits until at least <paramref name="count"/> requests arrived; false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> ArrivedAsync(int count, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (_received.Count < count)
        {
            var left = timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            await _arrived.WaitAsync(left, TestContext.Current.CancellationToken);
        }

        return true;
    }

    /// <summary>Checks a Standard Webhooks signature header independently: HMAC-SHA256 over "id.timestamp.body" with each secret.</summary>
    public static bool SignatureMatches(string secret, string webhookId, string timestamp, byte[] body, string signatureHeader)
    {
        var key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret["whsec_".Length..] : secret);
        var signed = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.").Concat(body).ToArray();
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
        foreach (var part in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(part), Encoding.ASCII.GetBytes(expected)))
            {
                return true;
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _arrived.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var headers = context.Request.Headers.ToDictionary(static h => h.Key, static h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        headers.TryGetValue("webhook-id", out var id);
        headers.TryGetValue("webhook-timestamp", out var timestamp);
        headers.TryGetValue("webhook-signature", out var signature);
        var secrets = Secrets;
        var valid = id is not null && timestamp is not null && signature is not null && secrets.Count > 0
            && secrets.All(secret => SignatureMatches(secret, id, timestamp, body, signature));
        _received.Enqueue(new ReceivedWebhook(context.Request.Method, context.Request.Path.Value ?? "", headers, body, valid, DateTimeOffset.UtcNow));
        _arrived.Release();

        if (_hang)
        {
            try
            {
                await _release.Task.WaitAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (Interlocked.Decrement(ref _failNext) >= 0)
        {
            context.Response.StatusCode = _failStatus;
            return;
        }

        Interlocked.Exchange(ref _failNext, 0);
        if (_respond is { } respond)
        {
            await respond(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}

/// <summary>
/// One request as the receiver saw it. <see cref="SignatureValid"/>: the signature header holds a valid
/// signature for every one of the receiver's <see cref="WebhookReceiver.Secrets"/>.
/// </summary>
public sealed record ReceivedWebhook(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, bool SignatureValid, DateTimeOffset ReceivedAt)
{
    public string WebhookId => Headers["webhook-id"];

    public string Timestamp => Headers["webhook-timestamp"];

    public string Signature => Headers["webhook-signature"];

    /// <summary>The payload: <c>{type, timestamp, data}</c>.</summary>
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Type => Json.GetProperty("type").GetString()!;
}
