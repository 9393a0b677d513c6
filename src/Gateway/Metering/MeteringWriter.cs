using System.Diagnostics;
using Gateway.Telemetry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Metering;

/// <summary>
/// Writes the buffered counts to the store every <see cref="MeteringOptions.FlushInterval"/> and once
/// more after the server has stopped. A batch the store did not confirm is kept and retried, as it
/// is, until it goes through, while new reports keep adding up in the (bounded) buffer: an outage of
/// a few seconds loses nothing, and a write whose answer was lost is not counted twice.
/// </summary>
internal sealed partial class MeteringWriter : BackgroundService, IHostedLifecycleService
{
    private const int ShutdownAttempts = 3;

    private readonly MeteringBuffer _buffer;
    private readonly MeteringStore _store;
    private readonly MeteringOptions _options;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<MeteringWriter> _logger;
    private readonly SemaphoreSlim _flushing = new(1, 1);

    private MeteringBatch? _unconfirmed;
    private long _nextWriteId = 1;
    private long _failingSince;
    private DateOnly _trimmedThrough = DateOnly.MinValue;

    public MeteringWriter(MeteringBuffer buffer, MeteringStore store, IOptions<MeteringOptions> options, TimeProvider time, GatewayMetrics metrics, ILogger<MeteringWriter> logger)
    {
        _buffer = buffer;
        _store = store;
        _options = options.Value;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        metrics.ObserveMeteringBacklog(() => Backlog);
    }

    /// <summary>Link-day entries not yet in the store: buffered, plus those of a batch waiting for its retry.</summary>
    public long Backlog => _buffer.Count + (Volatile.Read(ref _unconfirmed)?.PendingEntries ?? 0);

    /// <summary>
    /// Writes a batch that is waiting for its retry, then everything buffered. True when the store
    /// has all of it; false when the store failed (the counts are kept for the next flush).
    /// </summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken = default)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ReportDropped();
            if (_unconfirmed is { } held)
            {
                if (!await TryWriteAsync(held).ConfigureAwait(false))
                {
                    return false;
                }

                Volatile.Write(ref _unconfirmed, null);
            }

            var drained = _buffer.Drain();
            if (drained.Count > 0)
            {
                // Held before the first attempt: whatever happens to the write, these counts stay here until confirmed.
                var batch = MeteringBatch.Create(drained, ref _nextWriteId);
                Volatile.Write(ref _unconfirmed, batch);
                if (!await TryWriteAsync(batch).ConfigureAwait(false))
                {
                    return false;
                }

                Volatile.Write(ref _unconfirmed, null);
            }

            if (_failingSince != 0)
            {
                Log.CaughtUp(_logger, Stopwatch.GetElapsedTime(_failingSince).TotalSeconds);
                _failingSince = 0;
            }

            await TrimClosedDayAsync().ConfigureAwait(false);
            return true;
        }
        finally
        {
            _flushing.Release();
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The last flush runs after every hosted service, the web server included, has stopped, so the
    /// downloads it drained (or aborted) at shutdown are counted too. The store connection is still
    /// open here: the container disposes it later.
    /// </summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= ShutdownAttempts; attempt++)
        {
            if (await FlushAsync(CancellationToken.None).ConfigureAwait(false))
            {
                return;
            }

            if (attempt == ShutdownAttempts || cancellationToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(_options.FlushInterval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        Log.LostAtShutdown(_logger, Backlog);
    }

    public override void Dispose()
    {
        _flushing.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.FlushInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await FlushAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; StoppedAsync writes what is left.
        }
    }

    private async Task<bool> TryWriteAsync(MeteringBatch batch)
    {
        if (!_store.IsConnected)
        {
            Failed(null);
            return false;
        }

        try
        {
            if (await _store.WriteAsync(batch).ConfigureAwait(false))
            {
                return true;
            }

            Failed(null);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            Failed(ex);
        }

        return false;
    }

    private void Failed(Exception? exception)
    {
        _metrics.StoreError("metering");
        if (_failingSince == 0)
        {
            _failingSince = Stopwatch.GetTimestamp();
            Log.WriteFailed(_logger, Backlog, exception);
        }
    }

    private void ReportDropped()
    {
        var dropped = _buffer.TakeDropped();
        if (dropped > 0)
        {
            Log.Dropped(_logger, dropped, _options.MaxPendingEntries);
        }
    }

    /// <summary>
    /// Once a day is two days past, no replica writes to it any more (short of an outage that long),
    /// so its top lists are complete and only their heads need keeping. Removing the tail of a
    /// complete list keeps the kept entries exact. Best effort: a later flush tries again.
    /// </summary>
    private async Task TrimClosedDayAsync()
    {
        var closed = MeteringKeys.DayOf(_time.GetUtcNow()).AddDays(-2);
        if (_trimmedThrough >= closed)
        {
            return;
        }

        try
        {
            await _store.TrimTopAsync(closed, _options.TopLinksPerDay).ConfigureAwait(false);
            _trimmedThrough = closed;
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            Log.TrimFailed(_logger, MeteringKeys.Format(closed), ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Metering could not write to the link store; {Entries} link-day entries are kept and retried on every flush")]
        public static partial void WriteFailed(ILogger logger, long entries, Exception? exception);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Metering caught up with the link store after {Seconds:0.0} s")]
        public static partial void CaughtUp(ILogger logger, double seconds);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "The metering buffer is full ({Capacity} link-day entries, Gateway:Metering:MaxPendingEntries); {Dropped} download report(s) were not counted per link")]
        public static partial void Dropped(ILogger logger, long dropped, int capacity);

        [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "The link store was unreachable at shutdown; the counts of {Entries} link-day entries are lost")]
        public static partial void LostAtShutdown(ILogger logger, long entries);

        [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "Trimming the top lists of {Day} failed; the next flush tries again")]
        public static partial void TrimFailed(ILogger logger, string day, Exception exception);
    }
}
