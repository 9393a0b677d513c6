using System.Diagnostics;
using System.Net;
using Gateway.FunctionalTests.Infrastructure;
using static Gateway.FunctionalTests.Metering.StatsRequests;

namespace Gateway.FunctionalTests.Faults;

/// <summary>
/// OSS in trouble (LocalOss's fault mode) behind a real gateway process: 5xx answers now and then,
/// then reads that hang before any header.
/// </summary>
public sealed class UpstreamFaultTests
{
    /// <summary>Gateway:Downloads:UpstreamActivityTimeout in this test (100 s by default).</summary>
    private static readonly TimeSpan ActivityTimeout = TimeSpan.FromSeconds(2);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Origin_errors_become_502_and_a_silent_origin_504_and_neither_counts_against_any_limit()
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        var content = new byte[64 * 1024];
        Random.Shared.NextBytes(content);
        await env.PutObjectAsync("file.bin", content);
        var limited = await env.CreateLinkAsync("file.bin", new { maxDownloads = 100 });
        var settings = GatewayTestEnvironment.GatewaySettings(env.Directory, env.Store.ConnectionString, env.Oss.BaseAddress);
        settings["Gateway:Downloads:UpstreamActivityTimeout"] = ActivityTimeout.ToString();
        // A small 404/410 allowance: a 502 or 504 counted as a miss would soon turn into 429.
        settings["Gateway:Abuse:Downloads:Limit"] = "2";
        await using var gateway = await GatewayProcess.StartAsync(settings);
        using var client = gateway.CreateClient();
        var session = 0;
        Task<TimedDownload> Download() => TimedDownload.GetAsync(client, $"/{limited}", content, $"session-{++session}");

        var intermittent = new List<TimedDownload>();
        foreach (var status in new[] { HttpStatusCode.InternalServerError, HttpStatusCode.ServiceUnavailable })
        {
            env.Oss.Faults.FailEvery(2, status);
            for (var i = 0; i < 6; i++)
            {
                intermittent.Add(await Download());
            }
        }

        env.Oss.Faults.StallBeforeHeaders();
        var silent = new List<TimedDownload> { await Download(), await Download() };
        env.Oss.Faults.Clear();
        var after = await Download();

        var report = $"intermittent 5xx [{string.Join("; ", intermittent)}]; stalled before headers [{string.Join("; ", silent)}]; after [{after}]";
        TestContext.Current.TestOutputHelper?.WriteLine(report);

        // Every other read failed upstream: those are 502, the others the whole object.
        Assert.Equal(6, intermittent.Count(d => d.Status == HttpStatusCode.BadGateway));
        Assert.Equal(6, intermittent.Count(d => d.BodyIsObject));
        Assert.All(silent, d =>
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, d.Status);
            // Given up after the activity timeout; the upper bound leaves 5 s for a loaded machine.
            Assert.InRange(d.Elapsed, ActivityTimeout - TimeSpan.FromMilliseconds(100), ActivityTimeout + TimeSpan.FromSeconds(5));
        });
        Assert.True(after.BodyIsObject, report);

        // Counted: the 7 served downloads, as downloads and against maxDownloads. The 8 failed ones were
        // started (they went to storage) but gave their count back, and no 5xx is a 404/410 miss.
        var stats = await WaitForAsync(env.Admin, $"/api/v1/links/{limited}/stats", s => s.GetProperty("totals").Long("started") >= 15, timeoutSeconds: 30);
        Assert.Equal((15, 7, 0, 7 * (long)content.Length), stats.GetProperty("totals").Counts());
        Assert.Equal(7, (await env.GetLinkAsync(limited)).GetProperty("usedDownloads").GetInt64());
        Assert.Equal(8, env.Oss.Faults.Injected);
    }
}
