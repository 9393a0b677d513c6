using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gateway.Metering;

namespace Gateway.Telemetry;

/// <summary>
/// The instruments of meter <c>Gateway</c>, modelled on ASP.NET Core's RateLimitingMetrics: created
/// once through <see cref="IMeterFactory"/>, named with units, and every recording checks
/// <c>Enabled</c> before it builds tags on the stack. Tags are low-cardinality by design (bucket
/// alias, delivery mode, result); the link code is never a tag, because every code would become a
/// series and the SDK collapses a metric after 2000 of them (PITFALLS 21). Per-link numbers live in
/// the store and the stats API instead.
/// </summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "Gateway";

    public const string BucketTag = "gateway.bucket";
    public const string ModeTag = "gateway.mode";
    public const string ResultTag = "gateway.result";
    public const string OperationTag = "gateway.operation";

    /// <summary>Link lookups are one store round trip: sub-millisecond to a few seconds at worst.</summary>
    public static readonly IReadOnlyList<double> ResolveBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    /// <summary>Upstream time to first byte: tens of milliseconds when healthy, up to the 100 s activity timeout when not.</summary>
    public static readonly IReadOnlyList<double> TimeToFirstByteBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60, 100];

    /// <summary>
    /// Whole downloads and the HTTP requests that carry them: from a redirect in milliseconds to
    /// a large file over a slow line in hours. The default buckets stop at 10 s (PITFALLS 20), where
    /// every real download would land in +Inf.
    /// </summary>
    public static readonly IReadOnlyList<double> LongDurationBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400];

    private readonly Counter<long> _downloads;
    private readonly Counter<long> _downloadBytes;
    private readonly UpDownCounter<long> _activeDownloads;
    private readonly Histogram<double> _resolveDuration;
    private readonly Histogram<double> _timeToFirstByte;
    private readonly Histogram<double> _downloadDuration;
    private readonly Counter<long> _previews;
    private readonly Counter<long> _storeErrors;
    private readonly Counter<long> _meteringDropped;
    private readonly Counter<long> _credentialRefreshes;
    private readonly Counter<long> _webhookDeliveries;
    private readonly Counter<long> _webhookDropped;
    private readonly Meter _meter;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);

        _downloads = _meter.CreateCounter<long>(
            "gateway.downloads",
            unit: "{download}",
            description: "Downloads by result: started (a GET went to storage or was redirected), completed (the whole body or range was delivered) and aborted (the body started but did not finish).");

        _downloadBytes = _meter.CreateCounter<long>(
            "gateway.download.bytes",
            unit: "By",
            description: "Object body bytes sent to clients, counted at the response body.");

        _activeDownloads = _meter.CreateUpDownCounter<long>(
            "gateway.downloads.active",
            unit: "{download}",
            description: "Downloads in progress.");

        _resolveDuration = _meter.CreateHistogram(
            "gateway.link.resolve.duration",
            unit: "s",
            description: "Time to look a link up in the store, by result: found, not_found or store_error.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ResolveBuckets });

        _timeToFirstByte = _meter.CreateHistogram(
            "gateway.upstream.time_to_first_byte",
            unit: "s",
            description: "From forwarding a request to OSS to receiving its response headers.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TimeToFirstByteBuckets });

        _downloadDuration = _meter.CreateHistogram(
            "gateway.download.duration",
            unit: "s",
            description: "Duration of completed and aborted downloads, from forwarding (or redirecting) to the last byte.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LongDurationBuckets });

        _previews = _meter.CreateCounter<long>(
            "gateway.previews",
            unit: "{preview}",
            description: "Preview pages served to link-preview bots (chat apps unfurling a link) instead of the object; never downloads.");

        _storeErrors = _meter.CreateCounter<long>(
            "gateway.store.errors",
            unit: "{error}",
            description: "Failed round trips to the link store, by operation: resolve (a download answered 503), limit (a download-limited download answered 503), metering (a batch of counters kept for retry) or abuse (a 404/410 counted by this replica alone).");

        _meteringDropped = _meter.CreateCounter<long>(
            "gateway.metering.dropped",
            unit: "{report}",
            description: "Download reports that could not be counted per link because the metering buffer was full.");

        _credentialRefreshes = _meter.CreateCounter<long>(
            "gateway.credentials.refreshes",
            unit: "{refresh}",
            description: "Fetches of temporary credentials by result: refreshed (on schedule), forced (after OSS refused the previous ones) and failed.");

        _webhookDeliveries = _meter.CreateCounter<long>(
            "gateway.webhook.deliveries",
            unit: "{attempt}",
            description: "Webhook delivery attempts by result: delivered (2xx), retried (failed, tried again later) and failed (given up, or nothing left to send to).");

        _webhookDropped = _meter.CreateCounter<long>(
            "gateway.webhook.dropped",
            unit: "{event}",
            description: "Webhook events never stored, by reason: queue_full (the in-memory queue), backlog_full (the outbox's bound) or store_unavailable (at shutdown).");
    }

    /// <summary>Reports the delivery jobs in the outbox (as last read by this replica) on each collection.</summary>
    public void ObserveWebhookBacklog(Func<long> backlog) =>
        _meter.CreateObservableUpDownCounter(
            "gateway.webhook.backlog",
            backlog,
            unit: "{job}",
            description: "Webhook delivery jobs waiting in the outbox, across replicas; grows while receivers fail.");

    public void WebhookDelivery(string result)
    {
        if (_webhookDeliveries.Enabled)
        {
            var tags = new TagList { { ResultTag, result } };
            _webhookDeliveries.Add(1, tags);
        }
    }

    public void WebhookDropped(string reason)
    {
        if (_webhookDropped.Enabled)
        {
            var tags = new TagList { { ReasonTag, reason } };
            _webhookDropped.Add(1, tags);
        }
    }

    public const string ReasonTag = "gateway.reason";

    public const string CredentialsTypeTag = "gateway.credentials.type";

    /// <summary>Seconds until each bucket's temporary credentials expire (negative once expired), on each collection.</summary>
    public void ObserveCredentialLifetimes(Func<IEnumerable<Measurement<double>>> remaining) =>
        _meter.CreateObservableGauge(
            "gateway.credentials.remaining",
            remaining,
            unit: "s",
            description: "Seconds until a bucket's temporary credentials expire; alert well before zero (refreshes start at two thirds of the lifetime).");

    public void CredentialsRefreshed(string bucket, string type, string result)
    {
        if (_credentialRefreshes.Enabled)
        {
            var tags = new TagList { { BucketTag, bucket }, { CredentialsTypeTag, type }, { ResultTag, result } };
            _credentialRefreshes.Add(1, tags);
        }
    }

    /// <summary>Reports the metering backlog (link-day entries waiting for the store) on each collection.</summary>
    public void ObserveMeteringBacklog(Func<long> backlog) =>
        _meter.CreateObservableUpDownCounter(
            "gateway.metering.backlog",
            backlog,
            unit: "{entry}",
            description: "Per-link counter entries waiting to be written to the store; grows while the store is unreachable.");

    public void LinkResolved(ResolveOutcome outcome, TimeSpan elapsed)
    {
        if (_resolveDuration.Enabled)
        {
            var tags = new TagList { { ResultTag, Format(outcome) } };
            _resolveDuration.Record(elapsed.TotalSeconds, tags);
        }

        if (outcome == ResolveOutcome.StoreError)
        {
            StoreError("resolve");
        }
    }

    public void DownloadStarted(string bucket, string mode)
    {
        if (_downloads.Enabled)
        {
            var tags = new TagList { { BucketTag, bucket }, { ModeTag, mode }, { ResultTag, "started" } };
            _downloads.Add(1, tags);
        }

        if (_activeDownloads.Enabled)
        {
            var tags = new TagList { { BucketTag, bucket }, { ModeTag, mode } };
            _activeDownloads.Add(1, tags);
        }
    }

    /// <param name="wasStarted">True when <see cref="DownloadStarted"/> was reported for this request (every GET).</param>
    public void DownloadFinished(string bucket, string mode, DownloadOutcome outcome, long bytes, TimeSpan duration, TimeSpan? timeToFirstByte, bool wasStarted)
    {
        if (wasStarted && _activeDownloads.Enabled)
        {
            var tags = new TagList { { BucketTag, bucket }, { ModeTag, mode } };
            _activeDownloads.Add(-1, tags);
        }

        if (timeToFirstByte is { } ttfb && _timeToFirstByte.Enabled)
        {
            var tags = new TagList { { BucketTag, bucket } };
            _timeToFirstByte.Record(ttfb.TotalSeconds, tags);
        }

        if (outcome == DownloadOutcome.NoBody)
        {
            return;
        }

        var result = outcome == DownloadOutcome.Completed ? "completed" : "aborted";
        if (_downloads.Enabled)
        {
            var tags = new TagList { { BucketTag, bucket }, { ModeTag, mode }, { ResultTag, result } };
            _downloads.Add(1, tags);
        }

        if (bytes > 0 && _downloadBytes.Enabled)
        {
            var tags = new TagList { { BucketTag, bucket }, { ModeTag, mode } };
            _downloadBytes.Add(bytes, tags);
        }

        if (_downloadDuration.Enabled)
        {
            var tags = new TagList { { BucketTag, bucket }, { ModeTag, mode }, { ResultTag, result } };
            _downloadDuration.Record(duration.TotalSeconds, tags);
        }
    }

    public void PreviewServed(string bucket)
    {
        if (_previews.Enabled)
        {
            var tags = new TagList { { BucketTag, bucket } };
            _previews.Add(1, tags);
        }
    }

    public void StoreError(string operation)
    {
        if (_storeErrors.Enabled)
        {
            var tags = new TagList { { OperationTag, operation } };
            _storeErrors.Add(1, tags);
        }
    }

    public void MeteringDropped() => _meteringDropped.Add(1);

    private static string Format(ResolveOutcome outcome) => outcome switch
    {
        ResolveOutcome.Found => "found",
        ResolveOutcome.NotFound => "not_found",
        _ => "store_error",
    };
}
