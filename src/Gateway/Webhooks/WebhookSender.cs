using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace Gateway.Webhooks;

/// <summary>What one attempt came to: a status code, or an error said in words (never a secret).</summary>
internal readonly record struct WebhookAttemptOutcome(int? StatusCode, string? Error, TimeSpan Duration)
{
    public bool Succeeded => StatusCode is >= 200 and <= 299;
}

/// <summary>
/// Sends one signed delivery. Its own <see cref="SocketsHttpHandler"/>: redirects are not followed (a 3xx
/// is a failure: a receiver must not send the gateway elsewhere), no proxy, no cookies, and every
/// connection goes through <see cref="WebhookAddressPolicy.ConnectAsync"/>.
/// </summary>
internal sealed class WebhookSender : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _client;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;

    public WebhookSender(IOptions<WebhookOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        var allowPrivate = _options.AllowPrivateNetworks;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = _options.AttemptTimeout,
            ConnectCallback = (context, cancellationToken) => WebhookAddressPolicy.ConnectAsync(context, allowPrivate, cancellationToken),
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("Gateway-Webhooks/1.0");
    }

    /// <exception cref="OperationCanceledException">Only when <paramref name="stoppingToken"/> fired: the attempt did not finish and counts for nothing.</exception>
    public async Task<WebhookAttemptOutcome> SendAsync(WebhookEndpoint endpoint, string webhookId, byte[] body, CancellationToken stoppingToken)
    {
        var now = _time.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new ByteArrayContent(body),
            Version = System.Net.HttpVersion.Version11,
        };
        request.Content.Headers.ContentType = Json;
        request.Headers.TryAddWithoutValidation("webhook-id", webhookId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSignature.Sign(endpoint.SigningSecrets(now), webhookId, now, body));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(_options.AttemptTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var error = status is >= 300 and <= 399 ? "Redirect not followed (webhook receivers must answer 2xx themselves)." : null;
            return new WebhookAttemptOutcome(status, error, Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return new WebhookAttemptOutcome(null, $"Timed out after {_options.AttemptTimeout.TotalSeconds:0.###} s.", Stopwatch.GetElapsedTime(started));
        }
        catch (HttpRequestException ex)
        {
            return new WebhookAttemptOutcome(null, Describe(ex), Stopwatch.GetElapsedTime(started));
        }
    }

    public void Dispose() => _client.Dispose();

    private static string Describe(HttpRequestException ex)
    {
        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is WebhookTargetRefusedException refused)
            {
                return refused.Message;
            }
        }

        var cause = ex.InnerException?.Message is { } innerMessage ? $" ({innerMessage})" : "";
        return $"Request failed: {ex.HttpRequestError}{cause}.";
    }
}
