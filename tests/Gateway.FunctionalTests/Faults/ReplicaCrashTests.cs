using System.Diagnostics;
using System.Net;
using Gateway.FunctionalTests.Infrastructure;
using static Gateway.FunctionalTests.Metering.StatsRequests;

namespace Gateway.FunctionalTests.Faults;

/// <summary>
/// Two real gateway processes on one store and one LocalOss, both under load; one is killed with
/// SIGKILL in the middle of its downloads.
/// </summary>
public sealed class ReplicaCrashTests
{
    private const int SmallSize = 256 * 1024;
    private const int LargeSize = 64 * 1024 * 1024;

    /// <summary>
    /// The README's bound: a killed replica loses the downloads that ended since its last metering
    /// write, which comes every Gateway:Metering:FlushInterval (1 s by default). Counted here as the
    /// downloads the clients saw end within the interval before the kill, plus 2 s of slack for a late
    /// timer tick or a slow write on a loaded machine (and those that ended after the kill, from buffered bytes).
    /// </summary>
    private static readonly TimeSpan LossWindow = TimeSpan.FromSeconds(1) + TimeSpan.FromSeconds(2);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_replica_killed_mid_download_leaves_the_other_unaffected_and_loses_only_its_last_flush_interval_of_metering()
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        await env.PutObjectAsync("small.bin", new PatternStream(SmallSize));
        await env.PutObjectAsync("large.bin", new PatternStream(LargeSize));
        var smallA = await env.CreateLinkAsync("small.bin");
        var smallB = await env.CreateLinkAsync("small.bin");
        var largeA = await env.CreateLinkAsync("large.bin");
        var largeB = await env.CreateLinkAsync("large.bin");
        var settings = GatewayTestEnvironment.GatewaySettings(env.Directory, env.Store.ConnectionString, env.Oss.BaseAddress);
        await using var a = await GatewayProcess.StartAsync(settings);
        await using var b = await GatewayProcess.StartAsync(settings);

        var loadA = DownloadLoad.Start(() => a.BaseAddress, $"/{smallA}", SmallSize, clients: 4, stopWhenRefused: true);
        var loadB = DownloadLoad.Start(() => b.BaseAddress, $"/{smallB}", SmallSize, clients: 2);
        await using var heldA = await HeldDownload.StartAsync(new Uri(a.BaseAddress, $"/{largeA}"), 1024 * 1024);
        await using var heldB = await HeldDownload.StartAsync(new Uri(b.BaseAddress, $"/{largeB}"), 1024 * 1024);
        // Several flush intervals of load first, so most of A's downloads ended well before the loss window.
        var loading = Stopwatch.StartNew();
        await WaitUntilAsync(() => loadA.Completed >= 50 && loadB.Completed >= 20 && loading.Elapsed >= 3 * LossWindow, () => $"load never got going: A {loadA}; B {loadB}");

        var killedAt = Stopwatch.GetTimestamp();
        a.KillHard();
        await a.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var servedByBAtKill = loadB.Completed;
        await loadA.WhenAllEnded(TimeSpan.FromMinutes(1));
        // B keeps serving: its load goes on, and its own large download, held across the kill, completes.
        await WaitUntilAsync(() => loadB.Completed >= servedByBAtKill + 20, () => $"B stopped serving after A was killed: {loadB}");
        var heldBClean = await heldB.ReadToEndAsync();
        var heldAClean = await heldA.ReadToEndAsync();
        await loadB.StopAsync();

        Assert.True(heldBClean);
        Assert.Equal(LargeSize, heldB.Received);
        Assert.False(heldAClean);
        Assert.True(heldA.Received < LargeSize);
        Assert.Equal(0, loadA.ShortBodies);
        Assert.Equal((0L, 0L, 0L, 0L), (loadB.CutAfterHeaders, loadB.FailedBeforeHeaders, loadB.Refused, loadB.ShortBodies));
        Assert.Empty(loadB.OtherStatuses);

        // B's metering is exact.
        var statsB = await WaitForAsync(env.Admin, $"/api/v1/links/{smallB}/stats", s => s.GetProperty("totals").Long("downloads") >= loadB.Completed, timeoutSeconds: 30);
        Assert.Equal((loadB.Completed, loadB.Completed, 0, loadB.CompletedBytes), statsB.GetProperty("totals").Counts());
        var largeStatsB = await WaitForAsync(env.Admin, $"/api/v1/links/{largeB}/stats", s => s.GetProperty("totals").Long("downloads") >= 1, timeoutSeconds: 30);
        Assert.Equal((1, 1, 0, LargeSize), largeStatsB.GetProperty("totals").Counts());

        // A's metering lost what it held in memory: the downloads that ended after its last write.
        var statsA = (await GetJsonAsync(env.Admin, $"/api/v1/links/{smallA}/stats")).GetProperty("totals").Counts();
        var largeStatsA = (await GetJsonAsync(env.Admin, $"/api/v1/links/{largeA}/stats")).GetProperty("totals").Counts();
        var windowStart = killedAt - (long)(LossWindow.TotalSeconds * Stopwatch.Frequency);
        var endedInWindow = loadA.CompletedAt.Count(t => t >= windowStart);
        var lost = loadA.Completed - statsA.Downloads;
        var report = $"A: clients completed {loadA.Completed} ({loadA}), store has {statsA}; lost {lost} downloads ({loadA.CompletedBytes - statsA.Bytes} bytes), " +
            $"{endedInWindow} ended within {LossWindow.TotalSeconds:0} s of the kill; A's held download: client read {heldA.Received} bytes, store has {largeStatsA}; " +
            $"B: {loadB}, store has {statsB.GetProperty("totals").Counts()}";
        TestContext.Current.TestOutputHelper?.WriteLine(report);

        // Never more than happened (a download the server finished may still have been cut on the client's side) ...
        Assert.True(statsA.Downloads <= loadA.Completed + loadA.CutAfterHeaders, report);
        // ... and never less than what ended before the loss window (which holds only part of the load: the test would see a larger loss).
        Assert.True(lost <= endedInWindow, report);
        Assert.True(endedInWindow < loadA.Completed, report);
        // The held download had neither ended nor been reported as aborted: nothing of it beyond its start can have been written.
        Assert.Equal((0L, 0L, 0L), (largeStatsA.Downloads, largeStatsA.Aborted, largeStatsA.Bytes));
        Assert.InRange(largeStatsA.Started, 0, 1);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> failure)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(1), failure());
            await Task.Delay(20, Cancel);
        }
    }
}
