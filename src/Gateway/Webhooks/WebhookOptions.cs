using Microsoft.Extensions.Options;

namespace Gateway.Webhooks;

/// <summary>The <c>Gateway:Webhooks</c> configuration section: the outbox, the dispatcher and the targets it may reach.</summary>
internal sealed class WebhookOptions
{
    public const string SectionName = "Gateway:Webhooks";

    /// <summary>
    /// Put the downloading client's IP address into <c>download.*</c> events. Off by default: it is
    /// personal data, and a receiver should get it only when its operator chose to send it.
    /// </summary>
    public bool IncludeClientAddress { get; set; }

    /// <summary>The default retry delays; the last one repeats until <see cref="RetryFor"/> is over.</summary>
    public static readonly TimeSpan[] DefaultRetryBackoff =
    [
        TimeSpan.FromSeconds(5),
        TimeSpan.FromSeconds(30),
        TimeSpan.FromMinutes(2),
        TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(1),
        TimeSpan.FromHours(2),
    ];

    /// <summary>Events waiting in memory for the outbox writer; beyond this, Publish drops and counts them.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Most delivery jobs the outbox holds; an event that would go beyond it is dropped and counted.</summary>
    public int MaxBacklog { get; set; } = 100_000;

    /// <summary>How long a delivery is retried before it is dropped as failed.</summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Delays before each retry (the last one repeats), each with ±20 % jitter. Null: <see cref="DefaultRetryBackoff"/>.
    /// Null rather than the default list itself: the configuration binder appends to an existing array.
    /// </summary>
    public TimeSpan[]? RetryBackoff { get; set; }

    /// <summary>
    /// An endpoint whose deliveries have all failed for this long is disabled (and that is audited). Longer
    /// than <see cref="RetryFor"/> by default: a receiver that comes back within a day gets every event, and one
    /// that has failed for three days is taken as gone rather than down.
    /// </summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How long the previous secret keeps signing, beside the new one, after a rotation.</summary>
    public TimeSpan SecretRotationGrace { get; set; } = TimeSpan.FromHours(24);

    /// <summary>One delivery attempt, from connecting to the response headers.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a claimed job is hidden from other replicas. Longer than an attempt: a replica that dies
    /// mid-attempt loses the job to another one after this.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the dispatcher looks for due jobs when it has nothing else to wake it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Deliveries in flight per replica.</summary>
    public int MaxConcurrentDeliveries { get; set; } = 16;

    /// <summary>How often each replica re-reads the endpoints (the subscriptions and <c>WantsDownloadEvents</c>).</summary>
    public TimeSpan EndpointRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Delivery attempts kept per endpoint for <c>GET /api/v1/webhooks/{id}/deliveries</c>.</summary>
    public int DeliveryHistory { get; set; } = 100;

    /// <summary>
    /// Lets endpoints target loopback, private, link-local and similar addresses, and plain http. Off by
    /// default: the gateway must not become a way into its own network (SSRF).
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    public IReadOnlyList<TimeSpan> EffectiveRetryBackoff => RetryBackoff is { Length: > 0 } backoff ? backoff : DefaultRetryBackoff;
}

/// <summary>Checks <c>Gateway:Webhooks</c> at start; every message names its key.</summary>
internal sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var failures = new List<string>();
        const string prefix = WebhookOptions.SectionName;
        if (options.QueueCapacity is < 1 or > 10_000_000)
        {
            failures.Add($"{prefix}:QueueCapacity must be between 1 and 10000000 (events waiting in memory).");
        }

        if (options.MaxBacklog is < 1 or > 100_000_000)
        {
            failures.Add($"{prefix}:MaxBacklog must be between 1 and 100000000 (delivery jobs in the outbox).");
        }

        if (options.RetryFor <= TimeSpan.Zero)
        {
            failures.Add($"{prefix}:RetryFor must be positive (how long a delivery is retried).");
        }

        if (options.RetryBackoff is { } backoff && Array.Exists(backoff, static delay => delay <= TimeSpan.Zero))
        {
            failures.Add($"{prefix}:RetryBackoff must list positive delays.");
        }

        if (options.DisableAfter <= TimeSpan.Zero)
        {
            failures.Add($"{prefix}:DisableAfter must be positive (how long an endpoint may fail before it is disabled).");
        }

        if (options.SecretRotationGrace < TimeSpan.Zero)
        {
            failures.Add($"{prefix}:SecretRotationGrace must not be negative.");
        }

        if (options.AttemptTimeout <= TimeSpan.Zero || options.AttemptTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{prefix}:AttemptTimeout must be between 00:00:00 and 00:05:00.");
        }

        if (options.Lease <= options.AttemptTimeout)
        {
            failures.Add($"{prefix}:Lease must be longer than {prefix}:AttemptTimeout, or a job would be sent twice while an attempt is still running.");
        }

        if (options.PollInterval < TimeSpan.FromMilliseconds(10) || options.PollInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{prefix}:PollInterval must be between 00:00:00.010 and 00:01:00.");
        }

        if (options.MaxConcurrentDeliveries is < 1 or > 1024)
        {
            failures.Add($"{prefix}:MaxConcurrentDeliveries must be between 1 and 1024.");
        }

        if (options.EndpointRefreshInterval < TimeSpan.FromMilliseconds(10) || options.EndpointRefreshInterval > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{prefix}:EndpointRefreshInterval must be between 00:00:00.010 and 00:10:00.");
        }

        if (options.DeliveryHistory is < 1 or > 10_000)
        {
            failures.Add($"{prefix}:DeliveryHistory must be between 1 and 10000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
