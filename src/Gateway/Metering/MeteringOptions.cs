using Microsoft.Extensions.Options;

namespace Gateway.Metering;

/// <summary>The <c>Gateway:Metering</c> configuration section: per-link counters in the store.</summary>
internal sealed class MeteringOptions
{
    public const string SectionName = "Gateway:Metering";

    /// <summary>How many days of per-day series (links, buckets, top links) the store keeps, today included.</summary>
    public int RetentionDays { get; set; } = 90;

    /// <summary>How often buffered counters are written to the store. At most one second, as the product promises.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Bound of the in-memory buffer, in link-day entries (one per link and UTC day with counts not yet
    /// written). While the store is unreachable the buffer grows up to this; after that, reports for
    /// links not already in it are dropped and counted in <c>gateway.metering.dropped</c>.
    /// </summary>
    public int MaxPendingEntries { get; set; } = 100_000;

    /// <summary>How many links each day's top lists keep once the day is over (the current day and the day before are complete).</summary>
    public int TopLinksPerDay { get; set; } = 1000;
}

/// <summary>Checks <c>Gateway:Metering</c> at start; every message names its key.</summary>
internal sealed class MeteringOptionsValidator : IValidateOptions<MeteringOptions>
{
    public const int MaxRetentionDays = 3650;
    public static readonly TimeSpan MinFlushInterval = TimeSpan.FromMilliseconds(10);
    public static readonly TimeSpan MaxFlushInterval = TimeSpan.FromSeconds(1);

    public ValidateOptionsResult Validate(string? name, MeteringOptions options)
    {
        var failures = new List<string>();
        const string prefix = MeteringOptions.SectionName;
        if (options.RetentionDays is < 1 or > MaxRetentionDays)
        {
            failures.Add($"{prefix}:RetentionDays must be between 1 and {MaxRetentionDays} (days of per-day statistics to keep).");
        }

        if (options.FlushInterval < MinFlushInterval || options.FlushInterval > MaxFlushInterval)
        {
            failures.Add($"{prefix}:FlushInterval must be between 00:00:00.010 and 00:00:01: counters are written at least once a second.");
        }

        if (options.MaxPendingEntries is < 100 or > 10_000_000)
        {
            failures.Add($"{prefix}:MaxPendingEntries must be between 100 and 10000000 (link-day entries buffered while the store is unreachable).");
        }

        if (options.TopLinksPerDay is < 10 or > 100_000)
        {
            failures.Add($"{prefix}:TopLinksPerDay must be between 10 and 100000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
