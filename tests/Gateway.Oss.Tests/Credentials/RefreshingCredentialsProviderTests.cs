using System.Collections.Concurrent;

namespace Gateway.Oss.Tests.Credentials;

/// <summary>
/// The refresh loop against a fetcher whose answers the test decides (the HTTP sources themselves are
/// tested against the local STS and metadata stand-ins in the functional tests).
/// </summary>
public sealed class RefreshingCredentialsProviderTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Nothing_is_served_before_the_first_fetch_and_everything_after()
    {
        var fetcher = new ScriptedFetcher(TimeSpan.FromHours(1));
        await using var provider = new RefreshingCredentialsProvider(fetcher, TimeProvider.System);

        Assert.Throws<OssCredentialsUnavailableException>(provider.GetCredentials);
        await provider.StartAsync().WaitAsync(Cancel);

        Assert.Equal("STS.1", provider.GetCredentials().AccessKeyId);
        Assert.Equal(1, fetcher.Calls);
    }

    [Fact]
    public async Task Credentials_are_renewed_in_the_background_before_they_expire()
    {
        var fetcher = new ScriptedFetcher(TimeSpan.FromSeconds(3));
        var observer = new RecordingObserver();
        await using var provider = new RefreshingCredentialsProvider(fetcher, TimeProvider.System, observer);
        await provider.StartAsync().WaitAsync(Cancel);
        var first = provider.GetCredentials();

        // Due two thirds into a 3 s lifetime (less jitter): well before the first ones expire.
        await WaitUntilAsync(() => fetcher.Calls >= 2);

        Assert.NotEqual(first.AccessKeyId, provider.GetCredentials().AccessKeyId);
        Assert.True(DateTimeOffset.UtcNow < first.Expiration, "renewed only after the old credentials had expired");
        Assert.Contains(observer.Events, e => e == "refreshed:False");
    }

    [Fact]
    public async Task Failing_refreshes_keep_the_current_credentials_until_they_expire_and_are_reported()
    {
        var fetcher = new ScriptedFetcher(TimeSpan.FromSeconds(3));
        var observer = new RecordingObserver();
        await using var provider = new RefreshingCredentialsProvider(fetcher, TimeProvider.System, observer);
        await provider.StartAsync().WaitAsync(Cancel);
        var first = provider.GetCredentials();
        fetcher.Failing = true;

        await WaitUntilAsync(() => observer.Events.Contains("failed"));
        Assert.Same(first, provider.GetCredentials());

        await Task.Delay(first.Expiration!.Value - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(100), Cancel);
        Assert.Throws<OssCredentialsUnavailableException>(provider.GetCredentials);

        fetcher.Failing = false;
        await WaitUntilAsync(() => provider.CurrentExpiration > DateTimeOffset.UtcNow);
        Assert.NotEqual(first.AccessKeyId, provider.GetCredentials().AccessKeyId);
    }

    [Fact]
    public async Task Many_requests_refused_together_cause_one_fetch_and_all_retry()
    {
        var fetcher = new ScriptedFetcher(TimeSpan.FromHours(1));
        var observer = new RecordingObserver();
        await using var provider = new RefreshingCredentialsProvider(fetcher, TimeProvider.System, observer);
        await provider.StartAsync().WaitAsync(Cancel);
        var rejected = provider.GetCredentials();
        fetcher.Delay = TimeSpan.FromMilliseconds(200);

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => provider.RenewAfterRejectionAsync(rejected, Cancel).AsTask()));

        Assert.All(answers, Assert.True);
        Assert.Equal(2, fetcher.Calls);
        Assert.Contains("refreshed:True", observer.Events);
        Assert.NotSame(rejected, provider.GetCredentials());
    }

    [Fact]
    public async Task A_rejection_reported_while_the_forced_fetch_is_running_waits_for_it()
    {
        var fetcher = new ScriptedFetcher(TimeSpan.FromHours(1));
        await using var provider = new RefreshingCredentialsProvider(fetcher, TimeProvider.System);
        await provider.StartAsync().WaitAsync(Cancel);
        var rejected = provider.GetCredentials();
        fetcher.Delay = TimeSpan.FromMilliseconds(500);

        var first = provider.RenewAfterRejectionAsync(rejected, Cancel).AsTask();
        await Task.Delay(150, Cancel);
        var second = provider.RenewAfterRejectionAsync(rejected, Cancel).AsTask();

        var answers = await Task.WhenAll(first, second);
        Assert.Equal([true, true], answers);
        Assert.Equal(2, fetcher.Calls);
    }

    [Fact]
    public async Task A_second_rejection_right_after_a_forced_refresh_is_not_retried()
    {
        var fetcher = new ScriptedFetcher(TimeSpan.FromHours(1));
        await using var provider = new RefreshingCredentialsProvider(fetcher, TimeProvider.System);
        await provider.StartAsync().WaitAsync(Cancel);
        Assert.True(await provider.RenewAfterRejectionAsync(provider.GetCredentials(), Cancel));

        // OSS refuses the brand-new credentials too: something else is wrong, and STS is not hammered.
        Assert.False(await provider.RenewAfterRejectionAsync(provider.GetCredentials(), Cancel));
        Assert.Equal(2, fetcher.Calls);
    }

    [Fact]
    public async Task A_rejection_of_credentials_already_replaced_retries_without_a_fetch()
    {
        var fetcher = new ScriptedFetcher(TimeSpan.FromHours(1));
        await using var provider = new RefreshingCredentialsProvider(fetcher, TimeProvider.System);
        await provider.StartAsync().WaitAsync(Cancel);
        var old = provider.GetCredentials();
        Assert.True(await provider.RenewAfterRejectionAsync(old, Cancel));

        Assert.True(await provider.RenewAfterRejectionAsync(old, Cancel));
        Assert.Equal(2, fetcher.Calls);
    }

    [Fact]
    public async Task A_failed_forced_refresh_is_not_retried()
    {
        var fetcher = new ScriptedFetcher(TimeSpan.FromHours(1));
        await using var provider = new RefreshingCredentialsProvider(fetcher, TimeProvider.System);
        await provider.StartAsync().WaitAsync(Cancel);
        fetcher.Failing = true;

        Assert.False(await provider.RenewAfterRejectionAsync(provider.GetCredentials(), Cancel));
    }

    [Fact]
    public async Task Disposing_stops_the_loop()
    {
        var fetcher = new ScriptedFetcher(TimeSpan.FromSeconds(2));
        var provider = new RefreshingCredentialsProvider(fetcher, TimeProvider.System);
        await provider.StartAsync().WaitAsync(Cancel);
        await provider.DisposeAsync();
        var calls = fetcher.Calls;

        await Task.Delay(TimeSpan.FromSeconds(2), Cancel);

        Assert.Equal(calls, fetcher.Calls);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the condition did not become true within 15 s");
            await Task.Delay(20, Cancel);
        }
    }

    private sealed class ScriptedFetcher(TimeSpan lifetime) : ICredentialsFetcher
    {
        private int _calls;

        public bool Failing { get; set; }

        public TimeSpan Delay { get; set; }

        public int Calls => Volatile.Read(ref _calls);

        public string Type => "Scripted";

        public async Task<OssCredentials> FetchAsync(CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, cancellationToken);
            }

            return Failing
                ? throw new CredentialsFetchException("STS answered 503 ServiceUnavailable")
                : new OssCredentials($"STS.{call}", $"secret-{call}", $"token-{call}") { Expiration = DateTimeOffset.UtcNow + lifetime };
        }
    }

    private sealed class RecordingObserver : ICredentialsRefreshObserver
    {
        private readonly ConcurrentQueue<string> _events = new();

        public IReadOnlyCollection<string> Events => _events;

        public void Refreshed(string type, bool forced, DateTimeOffset? expiration) => _events.Enqueue($"refreshed:{forced}");

        public void RefreshFailed(string type, Exception error, DateTimeOffset? current) => _events.Enqueue("failed");
    }
}
