namespace LocalOss.Throttling;

/// <summary>
/// Paces one transfer to the rate of an <c>x-oss-traffic-limit</c>: a token bucket that starts with one chunk of
/// credit and refills at the rate, so N bytes take at least (N − <see cref="ChunkSize"/>) / rate. Each wait is
/// computed from the start of the transfer rather than per chunk, so timer granularity (a delay may oversleep
/// by a millisecond or more) never adds up: an oversleep is paid back by later chunks going out without a wait.
/// One pacer serves one request; it is not thread-safe.
/// </summary>
internal sealed class TransferPacer
{
    private const int MinChunkSize = 1024;
    private const int MaxChunkSize = 16 * 1024;

    // About 1/16 s of data per chunk keeps the initial burst, and each step, a small part of a second's allowance.
    private const int ChunksPerSecond = 16;

    private readonly double _bytesPerSecond;
    private readonly TimeProvider _timeProvider;
    private long _start;
    private long _bytes;

    public TransferPacer(long bitsPerSecond, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bitsPerSecond, TrafficLimit.MinBitsPerSecond);
        _bytesPerSecond = bitsPerSecond / 8.0;
        _timeProvider = timeProvider;
        ChunkSize = (int)Math.Clamp(_bytesPerSecond / ChunksPerSecond, MinChunkSize, MaxChunkSize);
    }

    /// <summary>The most a caller should move between two calls to <see cref="AcquireAsync"/>.</summary>
    public int ChunkSize { get; }

    /// <summary>Counts <paramref name="count"/> more bytes and waits until the rate allows all bytes counted so far.</summary>
    public ValueTask AcquireAsync(int count, CancellationToken cancellationToken)
    {
        // The clock starts with the first chunk, so time spent before the body moves earns no credit.
        if (_bytes == 0)
        {
            _start = _timeProvider.GetTimestamp();
        }

        _bytes += count;
        var due = TimeSpan.FromSeconds((_bytes - ChunkSize) / _bytesPerSecond);
        var wait = due - _timeProvider.GetElapsedTime(_start);
        return wait > TimeSpan.Zero
            ? new ValueTask(Task.Delay(wait, _timeProvider, cancellationToken))
            : ValueTask.CompletedTask;
    }
}
