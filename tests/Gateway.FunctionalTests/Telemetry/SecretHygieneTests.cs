using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Telemetry;

/// <summary>
/// Downloads in both delivery modes, with both signature forms (proxy mode signs the upstream
/// request in the V4 header; redirect mode and the presign API make V4 query-signed URLs), with a
/// known secret, while everything the process emits is captured: every log line at Trace (through a
/// log provider, and as exported over OTLP), every span and metric exported over OTLP, and the
/// Prometheus scrape. None of it may contain the secret, a signature, a signed URL or an
/// Authorization header.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed partial class SecretHygieneTests : IAsyncLifetime
{
    /// <summary>Secret of a bucket alias whose signatures OSS refuses, so OSS answers with its error XML (which quotes the string to sign).</summary>
    private const string RefusedSecret = "refused-secret-for-hygiene-0123456789";

    private readonly CapturingLoggerProvider _logs = new();
    private GatewayTestEnvironment _env = null!;
    private OtlpReceiver _otlp = null!;
    private ObservedGateway _gateway = null!;
    private HttpClient _admin = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>
    /// What the test drives through the gateway, each returning signed URLs it was given (which must
    /// not show up anywhere either). Another way to sign is one more line here.
    /// </summary>
    private static readonly (string Name, Func<SecretHygieneTests, Task<IEnumerable<string>>> Run)[] Scenarios =
    [
        ("proxy mode: V4 header signature, complete, ranged, HEAD, 304, aborted, unknown and missing", static t => t.ProxyDownloadsAsync()),
        ("proxy mode: a signature OSS refuses (its error XML quotes the string to sign)", static t => t.RefusedSignatureAsync()),
        ("redirect mode: V4 query signature in the Location", static t => t.RedirectsAsync()),
        ("POST /api/v1/presign: V4 query signature in the answer", static t => t.PresignAsync()),
        ("webhooks: secrets from create and rotate-secret, signed deliveries that fail and succeed", static t => t.WebhooksAsync()),
    ];

    /// <summary>Webhook secrets and the signatures made with them, collected by <see cref="WebhooksAsync"/>.</summary>
    private readonly List<string> _webhookSecrets = [];

    public async ValueTask InitializeAsync()
    {
        // The environment's own gateway shares the store, so its webhook dispatcher claims jobs too: it gets the
        // same webhook settings, or a retry it claims is refused (127.0.0.1 is private) and waits out the default 30 s.
        _env = await Webhooks.WebhookSettings.StartAsync();
        _otlp = await OtlpReceiver.StartAsync();
        var settings = GatewayTestEnvironment.GatewaySettings(_env.Directory, _env.Store.ConnectionString, _env.Oss.BaseAddress);
        foreach (var (key, value) in settings.Where(s => s.Key.StartsWith($"Gateway:Buckets:{GatewayTestEnvironment.BucketAlias}:", StringComparison.Ordinal)).ToArray())
        {
            settings[key.Replace($":{GatewayTestEnvironment.BucketAlias}:", ":refused:", StringComparison.Ordinal)] = value;
        }

        settings["Gateway:Buckets:refused:AccessKeySecret"] = RefusedSecret;
        settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = _otlp.BaseAddress.ToString().TrimEnd('/');
        settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        settings["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
        settings["OTEL_BSP_SCHEDULE_DELAY"] = "500";
        settings["OTEL_BLRP_SCHEDULE_DELAY"] = "500";

        // Everything at Trace, overriding the shipped per-category levels; the console stays quiet.
        foreach (var category in new[] { "Default", "Microsoft", "Microsoft.AspNetCore", "Microsoft.AspNetCore.Hosting", "Microsoft.Hosting.Lifetime", "Yarp", "System.Net.Http.HttpClient", "Gateway" })
        {
            settings[$"Logging:LogLevel:{category}"] = "Trace";
        }

        settings["Logging:Console:LogLevel:Default"] = "None";
        Webhooks.WebhookSettings.Apply(settings);
        _gateway = await ObservedGateway.StartAsync(settings, app => app.Services.GetRequiredService<ILoggerFactory>().AddProvider(_logs));
        _admin = _gateway.CreateClient(GatewayTestEnvironment.AdminKey);
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _gateway.DisposeAsync();
        await _otlp.DisposeAsync();
        await _env.DisposeAsync();
    }

    [Fact]
    public async Task No_secret_signature_signed_URL_or_Authorization_header_reaches_logs_spans_or_metrics()
    {
        var signedUrls = new List<string>();
        foreach (var (_, run) in Scenarios)
        {
            signedUrls.AddRange(await run(this));
        }

        var scrape = await _gateway.Client.GetStringAsync("/metrics", Cancel);
        await Task.Delay(1000, Cancel);
        // Stopping flushes the OTLP exporters: everything the process recorded has been sent.
        await _gateway.DisposeAsync();

        var forbidden = new List<string>
        {
            GatewayTestEnvironment.AccessKeySecret,
            RefusedSecret,
            GatewayTestEnvironment.AccessKeyId,
            GatewayTestEnvironment.AdminKey,
            "OSS4-HMAC-SHA256",
            "x-oss-signature",
            "x-oss-credential",
            "Signature=",
        };
        forbidden.AddRange(_webhookSecrets);
        foreach (var url in signedUrls)
        {
            forbidden.Add(url);
            forbidden.Add(Uri.UnescapeDataString(url));
            forbidden.Add(SignatureOf(url));
        }

        var sources = new List<(string Source, string Text)>();
        sources.AddRange(_logs.Entries.Select(entry => ("log", entry)));
        sources.AddRange(_otlp.Payloads.Select(payload => ($"OTLP {payload.Signal}", Encoding.UTF8.GetString(payload.Body))));
        sources.Add(("/metrics", scrape));

        // The capture really saw the traffic: the log provider and every OTLP signal.
        Assert.Contains(_logs.Entries, entry => entry.Contains("OSS answered 403", StringComparison.Ordinal));
        Assert.Contains(sources, s => s.Source == "OTLP logs" && s.Text.Contains("OSS answered", StringComparison.Ordinal));
        Assert.Contains(sources, s => s.Source == "OTLP traces" && s.Text.Contains("gateway.link.resolve", StringComparison.Ordinal));
        Assert.Contains(sources, s => s.Source == "OTLP metrics" && s.Text.Contains("gateway.download.bytes", StringComparison.Ordinal));
        Assert.Contains("gateway_downloads_total", scrape, StringComparison.Ordinal);

        var leaks = new List<string>();
        foreach (var (source, text) in sources)
        {
            foreach (var secret in forbidden)
            {
                if (text.Contains(secret, StringComparison.OrdinalIgnoreCase))
                {
                    leaks.Add($"{source} contains '{secret}': {Excerpt(text, text.IndexOf(secret, StringComparison.OrdinalIgnoreCase))}");
                }
            }

            // Any 64 hex digits: a V4 signature or signing key, whoever made it.
            if (Sha256Hex().Match(text) is { Success: true } hex)
            {
                leaks.Add($"{source} contains a SHA-256 hex value: {Excerpt(text, hex.Index)}");
            }
        }

        Assert.True(leaks.Count == 0, string.Join("\n", leaks.Distinct()));
    }

    private async Task<IEnumerable<string>> ProxyDownloadsAsync()
    {
        await _env.PutObjectAsync("hygiene/small.bin", new byte[20_000]);
        using (var large = new PatternStream(16 * 1024 * 1024))
        {
            await _env.PutObjectAsync("hygiene/large.bin", large);
        }

        var small = await CreateLinkAsync(new { bucket = GatewayTestEnvironment.BucketAlias, key = "hygiene/small.bin" });
        var large2 = await CreateLinkAsync(new { bucket = GatewayTestEnvironment.BucketAlias, key = "hygiene/large.bin" });
        var missing = await CreateLinkAsync(new { bucket = GatewayTestEnvironment.BucketAlias, key = "hygiene/never-uploaded.bin" });
        var client = _gateway.Client;

        using (var full = await client.GetAsync($"/{small}", Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, full.StatusCode);
            await full.Content.ReadAsByteArrayAsync(Cancel);
        }

        using (var range = new HttpRequestMessage(HttpMethod.Get, $"/{small}"))
        {
            range.Headers.Range = new RangeHeaderValue(10, 19);
            using var ranged = await client.SendAsync(range, Cancel);
            Assert.Equal(HttpStatusCode.PartialContent, ranged.StatusCode);
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

        using (var partial = _gateway.CreateClient())
        using (var response = await partial.GetAsync($"/{large2}", HttpCompletionOption.ResponseHeadersRead, Cancel))
        {
            await (await response.Content.ReadAsStreamAsync(Cancel)).ReadExactlyAsync(new byte[128 * 1024], Cancel);
        }

        using (var unknown = await client.GetAsync("/NoSuchLink1", Cancel))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var gone = await client.GetAsync($"/{missing}", Cancel))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        return [];
    }

    private async Task<IEnumerable<string>> RefusedSignatureAsync()
    {
        var code = await CreateLinkAsync(new { bucket = "refused", key = "hygiene/small.bin" });

        using var response = await _gateway.Client.GetAsync($"/{code}", Cancel);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        return [];
    }

    private async Task<IEnumerable<string>> RedirectsAsync()
    {
        var code = await CreateLinkAsync(new { bucket = GatewayTestEnvironment.BucketAlias, key = "hygiene/small.bin", mode = "redirect" });
        var locations = new List<string>();
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            using var response = await _gateway.Client.SendAsync(new HttpRequestMessage(method, $"/{code}"), Cancel);
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            var location = response.Headers.Location!.OriginalString;
            Assert.Contains("x-oss-signature=", location, StringComparison.Ordinal);
            locations.Add(location);
        }

        return locations;
    }

    private async Task<IEnumerable<string>> PresignAsync()
    {
        using var response = await _admin.PostAsJsonAsync("/api/v1/presign", new { bucket = GatewayTestEnvironment.BucketAlias, key = "hygiene/small.bin", expires = 60 }, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"presign: {(int)response.StatusCode} {text}");
        var url = JsonDocument.Parse(text).RootElement.GetProperty("url").GetString()!;
        Assert.Contains("x-oss-signature=", url, StringComparison.Ordinal);
        return [url];
    }

    private async Task<string> CreateLinkAsync(object link)
    {
        using var response = await _admin.PostAsJsonAsync("/api/v1/links", link, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create link: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("code").GetString()!;
    }

    private async Task<IEnumerable<string>> WebhooksAsync()
    {
        await using var receiver = await Webhooks.WebhookReceiver.StartAsync();
        // Subscribed to an event nothing here raises, so the receiver gets the ping alone.
        var created = await Webhooks.WebhookApiClient.CreateAsync(_admin, receiver.Url, [Gateway.Webhooks.WebhookEventTypes.LinkDeleted]);
        var id = created.GetProperty("id").GetString()!;
        var first = created.GetProperty("secret").GetString()!;
        using var rotated = await _admin.PostAsync($"/api/v1/webhooks/{id}/rotate-secret", null, Cancel);
        var second = (await Admin.AdminJson.ReadAsync(rotated)).GetProperty("secret").GetString()!;
        receiver.Secrets = [second, first];
        receiver.FailNext(1);
        var ping = await Webhooks.WebhookApiClient.PingAsync(_admin, id);
        // This gateway logs everything at Trace and exports to OTLP: on a loaded CI machine the retry once
        // arrived too late for the receiver's default 20 s. If it is missed again, the endpoint's own
        // record of its attempts says how far delivery got.
        if (!await receiver.ArrivedAsync(2, TimeSpan.FromSeconds(60)))
        {
            using var deliveries = await _admin.GetAsync($"/api/v1/webhooks/{id}/deliveries", Cancel);
            Assert.Fail($"the receiver got {receiver.Received.Count} of 2 requests in 60 s; deliveries: {await deliveries.Content.ReadAsStringAsync(Cancel)}");
        }

        var requests = receiver.Received;
        Assert.All(requests, r => Assert.Equal(ping, r.WebhookId));
        Assert.All(requests, r => Assert.True(r.SignatureValid));
        await Webhooks.WebhookApiClient.WaitForDeliveriesAsync(_admin, id, d => d.Count == 2, TimeSpan.FromSeconds(60));

        foreach (var secret in new[] { first, second })
        {
            _webhookSecrets.Add(secret);
            _webhookSecrets.Add(secret["whsec_".Length..]);
        }

        foreach (var request in requests)
        {
            foreach (var signature in request.Signature.Split(' '))
            {
                _webhookSecrets.Add(signature["v1,".Length..]);
            }
        }

        return [];
    }

    private static string SignatureOf(string url)
    {
        var query = new Uri(url).Query.TrimStart('?');
        var signature = query.Split('&').Single(p => p.StartsWith("x-oss-signature=", StringComparison.Ordinal));
        return signature["x-oss-signature=".Length..];
    }

    private static string Excerpt(string text, int index)
    {
        var start = Math.Max(0, index - 120);
        return text.Substring(start, Math.Min(text.Length - start, 300)).ReplaceLineEndings(" ");
    }

    [GeneratedRegex("(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])")]
    private static partial Regex Sha256Hex();
}
