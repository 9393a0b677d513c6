using System.Diagnostics;
using System.Net;
using Gateway.FunctionalTests.Infrastructure;
using static Gateway.FunctionalTests.Metering.StatsRequests;

namespace Gateway.FunctionalTests.Faults;

/// <summary>
/// The link store slowed down, then hung, between a real gateway process and the store (a
/// <see cref="TcpFaultProxy"/>; redis-server or Garnet behind it, whichever GATEWAY_TEST_STORE picks).
/// </summary>
public sealed class StoreFaultTests
{
    private static readonly TimeSpan AddedLatency = TimeSpan.FromMilliseconds(200);

    /// <summary>How early a timer may fire as the test's Stopwatch sees it: timers count whole milliseconds of a coarser clock.</summary>
    private static readonly TimeSpan TimerResolution = TimeSpan.FromMilliseconds(16);

    /// <summary>
    /// The documented bound for an answer while the store hangs: StackExchange.Redis's asyncTimeout
    /// (2 s, set by the gateway) plus its timeout check, which runs once a second. The assertion adds
    /// 3 s of slack for a loaded 2-core machine.
    /// </summary>
    private static readonly TimeSpan StalledAnswerBound = TimeSpan.FromSeconds(3);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_slow_then_hung_store_slows_downloads_then_answers_503_in_time_and_service_recovers()
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        var content = new byte[64 * 1024];
        Random.Shared.NextBytes(content);
        await env.PutObjectAsync("file.bin", content);
        var plain = await env.CreateLinkAsync("file.bin");
        var limited = await env.CreateLinkAsync("file.bin", new { maxDownloads = 1000 });
        await using var proxy = TcpFaultProxy.Start(env.Store.ConnectionString);
        await using var gateway = await GatewayProcess.StartAsync(GatewayTestEnvironment.GatewaySettings(env.Directory, proxy.ConnectionString, env.Oss.BaseAddress));
        using var client = gateway.CreateClient();
        var session = 0;
        Task<TimedDownload> Plain() => TimedDownload.GetAsync(client, $"/{plain}", content);
        Task<TimedDownload> Limited() => TimedDownload.GetAsync(client, $"/{limited}", content, $"session-{++session}");

        var normal = new List<TimedDownload>();
        for (var i = 0; i < 5; i++)
        {
            normal.Add(await Plain());
        }

        proxy.Delay(AddedLatency);
        var slowPlain = new List<TimedDownload>();
        var slowLimited = new List<TimedDownload>();
        for (var i = 0; i < 5; i++)
        {
            slowPlain.Add(await Plain());
            slowLimited.Add(await Limited());
        }

        proxy.Pass();
        proxy.Stall();
        var stalled = new List<TimedDownload>();
        var stallTime = Stopwatch.StartNew();
        while (stallTime.Elapsed < TimeSpan.FromSeconds(8))
        {
            stalled.Add(await (stalled.Count % 2 == 0 ? Plain() : Limited()));
        }

        proxy.Pass();
        var cleared = Stopwatch.StartNew();
        var recovery = new List<TimedDownload>();
        while (recovery.Count == 0 || recovery[^1].Status != HttpStatusCode.OK)
        {
            Assert.True(cleared.Elapsed < TimeSpan.FromSeconds(30), $"no download served 30 s after the store came back: {string.Join("; ", recovery)}");
            recovery.Add(await Plain());
        }

        var recoveredAfter = cleared.Elapsed;
        var after = new List<TimedDownload> { await Plain(), await Limited() };

        var report = $"normal [{string.Join("; ", normal)}]; +200 ms plain [{string.Join("; ", slowPlain)}]; +200 ms limited [{string.Join("; ", slowLimited)}]; " +
            $"stalled [{string.Join("; ", stalled)}]; recovered after {recoveredAfter.TotalSeconds:0.00} s [{string.Join("; ", recovery)}]";
        TestContext.Current.TestOutputHelper?.WriteLine(report);

        // Slow but correct: every download served whole, each at least one added round trip slower (a
        // limited one two: the lookup and the count).
        Assert.All(normal.Concat(slowPlain).Concat(slowLimited).Concat(after), d => Assert.True(d.BodyIsObject, report));
        // Less TimerResolution: the relay's delay runs on a millisecond tick, the test's clock does not (199 ms was seen).
        Assert.All(slowPlain, d => Assert.True(d.Elapsed >= AddedLatency - TimerResolution, report));
        Assert.All(slowLimited, d => Assert.True(d.Elapsed >= (2 * AddedLatency) - TimerResolution, report));

        // Hung store: 503 with Retry-After, never a 500, never a wait past the documented bound (+3 s of slack).
        Assert.NotEmpty(stalled);
        Assert.All(stalled, d =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, d.Status);
            Assert.Equal("5", d.RetryAfter);
            Assert.True(d.Elapsed < StalledAnswerBound + TimeSpan.FromSeconds(3), report);
        });
        Assert.All(recovery, d => Assert.Contains(d.Status, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));

        // What is counted: the served downloads, exactly; the refused ones neither as downloads nor against the limit.
        var served = normal.Count + slowPlain.Count + recovery.Count(d => d.Status == HttpStatusCode.OK) + 1;
        var servedLimited = slowLimited.Count + 1;
        var plainStats = await WaitForAsync(env.Admin, $"/api/v1/links/{plain}/stats", s => s.GetProperty("totals").Long("downloads") >= served, timeoutSeconds: 30);
        var limitedStats = await WaitForAsync(env.Admin, $"/api/v1/links/{limited}/stats", s => s.GetProperty("totals").Long("downloads") >= servedLimited, timeoutSeconds: 30);
        Assert.Equal((served, served, 0, served * (long)content.Length), plainStats.GetProperty("totals").Counts());
        Assert.Equal((servedLimited, servedLimited, 0, servedLimited * (long)content.Length), limitedStats.GetProperty("totals").Counts());
        Assert.Equal(servedLimited, (await env.GetLinkAsync(limited)).GetProperty("usedDownloads").GetInt64());
    }
}
