namespace Gateway.Oss;

/// <summary>
/// Temporary credentials kept fresh in the background, so signing never waits for STS or the metadata
/// service. One loop per provider does every fetch, so there is never more than one at a time:
/// <list type="bullet">
/// <item>a refresh is due two thirds into the credentials' lifetime, less a random tenth of it (replicas
/// started together spread out), which leaves a third of the lifetime for retries;</item>
/// <item>a failed fetch is retried with exponential backoff (1 s doubling to 60 s, jittered) while the
/// current credentials keep serving until they actually expire; without working credentials the
/// retries are at most 5 s apart, so service resumes soon after the source does;</item>
/// <item>a rejection by OSS (<see cref="RenewAfterRejectionAsync"/>) wakes the loop at once, at most once
/// per <see cref="ForcedRefreshSpacing"/>, and every request that saw it waits for that one fetch.</item>
/// </list>
/// </summary>
public sealed class RefreshingCredentialsProvider : IOssCredentialsProvider, IAsyncDisposable
{
    /// <summary>Forced refreshes closer together than this are not worth it: OSS refuses for another reason.</summary>
    public static readonly TimeSpan ForcedRefreshSpacing = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MaxRetryDelayWithoutCredentials = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan UnexpiringRefreshInterval = TimeSpan.FromHours(1);
    private static readonly TimeSpan MinimumDelay = TimeSpan.FromMilliseconds(200);

    private readonly ICredentialsFetcher _fetcher;
    private readonly TimeProvider _time;
    private readonly ICredentialsRefreshObserver? _observer;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();

    private OssCredentials? _current;
    private DateTimeOffset _fetchedAt;
    private int _consecutiveFailures;
    private bool _forcedPending;
    private DateTimeOffset _lastForced = DateTimeOffset.MinValue;
    private TaskCompletionSource _wake = NewSignal();
    private TaskCompletionSource _attemptFinished = NewSignal();
    private Task? _loop;

    public RefreshingCredentialsProvider(ICredentialsFetcher fetcher, TimeProvider time, ICredentialsRefreshObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(fetcher);
        ArgumentNullException.ThrowIfNull(time);
        _fetcher = fetcher;
        _time = time;
        _observer = observer;
    }

    /// <summary>The credential type, e.g. <c>EcsRamRole</c>.</summary>
    public string Type => _fetcher.Type;

    /// <summary>When the credentials in use expire; null before the first fetch succeeded.</summary>
    public DateTimeOffset? CurrentExpiration => Volatile.Read(ref _current)?.Expiration;

    /// <summary>True once a fetch has succeeded (the credentials may have expired since).</summary>
    public bool HasFetched => Volatile.Read(ref _current) is not null;

    /// <summary>Starts the refresh loop; the task completes when the first fetch has succeeded or failed.</summary>
    public Task StartAsync()
    {
        lock (_gate)
        {
            if (_loop is null)
            {
                var firstAttempt = _attemptFinished.Task;
                _loop = Task.Run(RunAsync);
                return firstAttempt;
            }

            return _current is null ? _attemptFinished.Task : Task.CompletedTask;
        }
    }

    public OssCredentials GetCredentials()
    {
        var current = Volatile.Read(ref _current);
        if (current is null)
        {
            throw new OssCredentialsUnavailableException($"No {Type} credentials yet: the first fetch has not succeeded.");
        }

        if (current.Expiration is { } expiration && _time.GetUtcNow() >= expiration)
        {
            throw new OssCredentialsUnavailableException($"The {Type} credentials expired and every refresh since has failed.");
        }

        return current;
    }

    public async ValueTask<bool> RenewAfterRejectionAsync(OssCredentials rejected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        Task attempt;
        lock (_gate)
        {
            if (!ReferenceEquals(_current, rejected))
            {
                // Renewed since the rejected request was signed: retrying with the new ones is worth it.
                return _current is not null;
            }

            if (!_forcedPending)
            {
                var now = _time.GetUtcNow();
                if (now - _lastForced < ForcedRefreshSpacing)
                {
                    return false;
                }

                _lastForced = now;
                _forcedPending = true;
                _wake.TrySetResult();
            }

            attempt = _attemptFinished.Task;
        }

        await attempt.WaitAsync(cancellationToken).ConfigureAwait(false);
        var current = Volatile.Read(ref _current);
        return current is not null && !ReferenceEquals(current, rejected);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task? loop;
        lock (_gate)
        {
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            var delay = NextDelay();
            Task wake;
            lock (_gate)
            {
                wake = _wake.Task;
            }

            if (delay > TimeSpan.Zero && !wake.IsCompleted)
            {
                using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                await Task.WhenAny(Task.Delay(delay, _time, waiting.Token), wake).ConfigureAwait(false);
                await waiting.CancelAsync().ConfigureAwait(false);
            }

            if (stopping.IsCancellationRequested)
            {
                break;
            }

            bool forced;
            lock (_gate)
            {
                // Still pending until the attempt finishes: a rejection reported meanwhile waits for it.
                forced = _forcedPending;
                if (_wake.Task.IsCompleted)
                {
                    _wake = NewSignal();
                }
            }

            await AttemptAsync(forced, stopping).ConfigureAwait(false);
        }
    }

    private async Task AttemptAsync(bool forced, CancellationToken stopping)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            timeout.CancelAfter(FetchTimeout);
            var fresh = await _fetcher.FetchAsync(timeout.Token).ConfigureAwait(false);
            lock (_gate)
            {
                _current = fresh;
                _fetchedAt = _time.GetUtcNow();
                _consecutiveFailures = 0;
            }

            _observer?.Refreshed(Type, forced, fresh.Expiration);
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            lock (_gate)
            {
                _consecutiveFailures++;
            }

            _observer?.RefreshFailed(Type, ex, Volatile.Read(ref _current)?.Expiration);
        }
        finally
        {
            TaskCompletionSource finished;
            lock (_gate)
            {
                finished = _attemptFinished;
                _attemptFinished = NewSignal();
                _forcedPending = false;
            }

            finished.TrySetResult();
        }
    }

    private TimeSpan NextDelay()
    {
        OssCredentials? current;
        DateTimeOffset fetchedAt;
        int failures;
        lock (_gate)
        {
            current = _current;
            fetchedAt = _fetchedAt;
            failures = _consecutiveFailures;
        }

        return RefreshSchedule.NextDelay(current, fetchedAt, failures, _time.GetUtcNow(), Random.Shared.NextDouble());
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When the next fetch is due. Pure, so the schedule itself is tested without waiting.</summary>
    internal static class RefreshSchedule
    {
        /// <param name="current">The credentials in use, or null.</param>
        /// <param name="fetchedAt">When they were fetched.</param>
        /// <param name="failures">Fetches failed since the last success.</param>
        /// <param name="now">Now.</param>
        /// <param name="random">A number in [0, 1) for the jitter.</param>
        public static TimeSpan NextDelay(OssCredentials? current, DateTimeOffset fetchedAt, int failures, DateTimeOffset now, double random)
        {
            if (current is null && failures == 0)
            {
                return TimeSpan.Zero;
            }

            if (failures > 0)
            {
                // 1 s, 2 s, 4 s … 60 s, ±20 %; with credentials about to expire, no later than a quarter of
                // what is left; with none that work (the bucket answers 503), at most 5 s apart.
                var usable = current is not null && (current.Expiration is not { } expiry || expiry > now);
                var cap = usable ? MaxRetryDelay : MaxRetryDelayWithoutCredentials;
                var backoff = TimeSpan.FromSeconds(Math.Min(cap.TotalSeconds, Math.Pow(2, Math.Min(failures - 1, 10))));
                var delay = backoff * (0.8 + (0.4 * random));
                if (current?.Expiration is { } expiration && expiration > now)
                {
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks, Math.Max(MinimumDelay.Ticks, (expiration - now).Ticks / 4)));
                }

                return delay;
            }

            if (current!.Expiration is not { } expires)
            {
                return UnexpiringRefreshInterval;
            }

            var lifetime = expires - fetchedAt;
            var due = fetchedAt + (lifetime * 2 / 3) - (lifetime / 10 * random);
            var wait = due - now;
            return wait > MinimumDelay ? wait : MinimumDelay;
        }
    }
}
