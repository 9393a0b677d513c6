using Gateway.FunctionalTests.Infrastructure;
using Gateway.Links;

namespace Gateway.FunctionalTests.Policy;

/// <summary>
/// The counting script names the one count that uses a link up (what link.exhausted is raised from),
/// against a real store: once under concurrency, and again only if that very count is given back.
/// </summary>
public sealed class LastCountTests : IAsyncLifetime
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(6);

    private GatewayTestEnvironment _env = null!;

    public async ValueTask InitializeAsync()
    {
        _env = await GatewayTestEnvironment.StartAsync();
        await _env.PutObjectAsync("limited.bin", new byte[100]);
    }

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    private DownloadLimiter Limiter => _env.Gateway.Services.GetRequiredService<DownloadLimiter>();

    [Fact]
    public async Task Of_forty_concurrent_new_sessions_exactly_one_takes_the_last_count()
    {
        var code = await _env.CreateLinkAsync("limited.bin", new { maxDownloads = 5 });
        var now = DateTimeOffset.UtcNow;

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => Limiter.TryCountAsync(code, $"session-{i}", now, Window))));

        Assert.Equal(1, results.Count(r => r == CountResult.CountedLast));
        Assert.Equal(4, results.Count(r => r == CountResult.Counted));
        Assert.Equal(35, results.Count(r => r == CountResult.Exhausted));
    }

    [Fact]
    public async Task A_given_back_last_count_lets_the_next_last_count_announce()
    {
        var code = await _env.CreateLinkAsync("limited.bin", new { maxDownloads = 2 });
        var now = DateTimeOffset.UtcNow;

        Assert.Equal(CountResult.Counted, await Limiter.TryCountAsync(code, "a", now, Window));
        Assert.Equal(CountResult.CountedLast, await Limiter.TryCountAsync(code, "b", now, Window));
        await Limiter.ReleaseAsync(code, "b");

        Assert.Equal(CountResult.CountedLast, await Limiter.TryCountAsync(code, "c", now, Window));
    }

    [Fact]
    public async Task Another_session_giving_its_count_back_does_not_announce_twice()
    {
        var code = await _env.CreateLinkAsync("limited.bin", new { maxDownloads = 2 });
        var now = DateTimeOffset.UtcNow;

        Assert.Equal(CountResult.Counted, await Limiter.TryCountAsync(code, "a", now, Window));
        Assert.Equal(CountResult.CountedLast, await Limiter.TryCountAsync(code, "b", now, Window));
        await Limiter.ReleaseAsync(code, "a");

        Assert.Equal(CountResult.Counted, await Limiter.TryCountAsync(code, "c", now, Window));
        Assert.Equal(CountResult.Exhausted, await Limiter.TryCountAsync(code, "d", now, Window));
    }
}
