namespace LocalOss.Sts;

/// <summary>
/// A lifetime that replaces the requested one when set, so tests cross an expiry in seconds although STS never issues
/// credentials for less than 15 minutes. Read and written from any thread.
/// </summary>
internal sealed class LifetimeOverride
{
    private long _ticks = -1;

    public TimeSpan? Value
    {
        get => Interlocked.Read(ref _ticks) is var ticks and >= 0 ? TimeSpan.FromTicks(ticks) : null;
        set
        {
            if (value is { } lifetime && lifetime < TimeSpan.FromSeconds(1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Credentials must live at least one second.");
            }

            Interlocked.Exchange(ref _ticks, value?.Ticks ?? -1);
        }
    }

    public TimeSpan Apply(TimeSpan requested) => Value ?? requested;
}
