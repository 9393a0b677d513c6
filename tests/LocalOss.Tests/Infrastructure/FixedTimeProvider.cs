namespace LocalOss.Tests.Infrastructure;

/// <summary>A clock stopped at one instant, to sign requests in the past or the future.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;

    public static FixedTimeProvider Offset(TimeSpan offset) => new(DateTimeOffset.UtcNow + offset);
}
