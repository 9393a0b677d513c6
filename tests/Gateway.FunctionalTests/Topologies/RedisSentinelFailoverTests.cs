using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Gateway.FunctionalTests.Infrastructure;
using static Gateway.FunctionalTests.Metering.StatsRequests;

namespace Gateway.FunctionalTests.Topologies;

/// <summary>
/// Two gateway replicas on a Sentinel-managed primary and replica, under load, while the primary
/// fails over: planned (SENTINEL FAILOVER) or by crash (the primary killed with SIGKILL). Downloads
/// must resume within a stated time, no revoked link may ever be served, no limited link may serve
/// more than its limit, and metering may lose nothing it had confirmed.
/// </summary>
[Trait("Category", "RedisTopology")]
public sealed class RedisSentinelFailoverTests
{
    public const string Requested = "requested";
    public const string PrimaryKilled = "primary-killed";

    private const int Size = 20_000;
    private const int Limit = 2;

    /// <summary>
    /// After the failure, no download waits longer than this for the next one to complete (README).
    /// Measured: about 0.15 s after a crash (reads go to the replica until the sentinels promote it), and
    /// under 0.1 s for a planned failover (when the old primary is demoted); the bound leaves room for a
    /// loaded CI machine.
    /// </summary>
    private static readonly TimeSpan ResumeBound = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Writes (revocations, counted downloads of limited links) are confirmed again within this long of
    /// the failure (README). Measured: about 1.4 s after a crash; 15-17 s for a planned failover, in which
    /// they are refused until Sentinel has demoted the old primary (it looks every 10 s) and it has caught
    /// up, because until then a gateway may still read from it, or write to it and lose the write.
    /// </summary>
    private static readonly TimeSpan WritesResumeBound = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(Requested)]
    [InlineData(PrimaryKilled)]
    public async Task Failover_under_load_resumes_downloads_and_keeps_revocations_limits_and_counts(string how)
    {
        await using var sentinels = await RedisSentinelSet.StartAsync();
        await using var env = await GatewayTestEnvironment.StartAsync(
            settings =>
            {
                // One test client makes many 410s and admin calls on purpose; the abuse limits would take it for an attacker.
                settings["Gateway:Abuse:Downloads:Limit"] = "0";
                settings["Gateway:Abuse:Admin:Limit"] = "0";
            },
            StoreServer.External(sentinels.ConnectionString, "redis-sentinel"));
        var second = await env.StartAnotherGatewayAsync();
        GatewayInstance[] gateways = [env.Gateway, second];
        await env.PutObjectAsync("failover/file.bin", new byte[Size]);
        await using (var large = new PatternStream(64L * 1024 * 1024))
        {
            await env.PutObjectAsync("failover/large.bin", large);
        }

        var open = await env.CreateLinkAsync("failover/file.bin");
        var inFlight = await env.CreateLinkAsync("failover/large.bin");
        var limited = new List<string>();
        var toRevoke = new List<string>();
        for (var i = 0; i < 120; i++)
        {
            limited.Add(await env.CreateLinkAsync("failover/file.bin", new { maxDownloads = Limit }));
            toRevoke.Add(await env.CreateLinkAsync("failover/file.bin"));
        }

        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var openRequests = new ConcurrentQueue<(TimeSpan Start, TimeSpan End, bool Ok)>();
        var served = new ConcurrentDictionary<string, int>();
        var confirmedRevocations = new ConcurrentDictionary<string, TimeSpan>();
        var violations = new ConcurrentQueue<string>();
        var refusedRevocations = new ConcurrentQueue<TimeSpan>();
        var limitedServed = new ConcurrentQueue<(TimeSpan Start, TimeSpan End)>();

        // A download in flight across the failover, to be revoked on the new primary.
        using var slow = await second.Client.GetAsync($"/{inFlight}", HttpCompletionOption.ResponseHeadersRead, Cancel);
        Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        await using var slowBody = await slow.Content.ReadAsStreamAsync(Cancel);
        var slowReader = ReadSlowlyAsync(slowBody, stop.Token);

        var workers = new List<Task>();
        for (var w = 0; w < 6; w++)
        {
            var client = gateways[w % 2].Client;
            workers.Add(Task.Run(() => DownloadOpenLinkAsync(client, open, clock, openRequests, stop.Token), Cancel));
        }

        workers.Add(Task.Run(() => ExhaustLimitedLinksAsync(gateways, limited, served, clock, limitedServed, stop.Token), Cancel));
        workers.Add(Task.Run(() => RevokeAndProbeAsync(env, gateways, toRevoke, clock, confirmedRevocations, refusedRevocations, violations, stop.Token), Cancel));

        await Task.Delay(TimeSpan.FromSeconds(1.5), Cancel);
        var oldPrimary = await sentinels.PrimaryAsync();
        var failedAt = clock.Elapsed;
        if (how == PrimaryKilled)
        {
            await oldPrimary.KillAsync();
        }
        else
        {
            await sentinels.RequestFailoverAsync();
        }

        await sentinels.WaitForNewPrimaryAsync(oldPrimary.Port, TimeSpan.FromSeconds(30));
        var promotedAt = clock.Elapsed;
        await WaitForSuccessAfterAsync(openRequests, promotedAt, TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(2), Cancel);

        // The download that ran across the failover is stopped by a revocation made on the new primary,
        // sent again while it is refused (503), as an admin client would.
        await RevokeUntilConfirmedAsync(env, inFlight, clock, refusedRevocations);
        var revokedAt = Stopwatch.StartNew();
        var slowOutcome = await slowReader.WaitAsync(TimeSpan.FromSeconds(10), Cancel);
        var inFlightStoppedAfter = revokedAt.Elapsed;

        await stop.CancelAsync();
        await Task.WhenAll(workers);

        var requests = openRequests.ToArray();
        var failures = requests.Count(r => !r.Ok);
        var completed = requests.Count(r => r.Ok);
        var (outageStart, resumedAt) = LongestOutage(requests, failedAt);
        var resumedAfter = resumedAt - failedAt;
        var outage = resumedAt - outageStart;
        var stats = await WaitForAsync(env.Admin, $"/api/v1/links/{open}/stats", s => s.GetProperty("totals").Long("downloads") >= completed, timeoutSeconds: 15);
        var metered = stats.GetProperty("totals").Long("downloads");
        var writesRefusedUntil = refusedRevocations.IsEmpty ? failedAt : refusedRevocations.Max();

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{how}: the sentinels named the new primary {(promotedAt - failedAt).TotalSeconds:0.00} s after the failure; " +
            $"no download completed from {(outageStart - failedAt).TotalSeconds:+0.00;-0.00} s to {resumedAfter.TotalSeconds:+0.00} s " +
            $"({failures} of {requests.Length} requests failed, the slowest took {requests.Max(r => r.End - r.Start).TotalSeconds:0.00} s); " +
            $"revocations were refused (503) {refusedRevocations.Count} times, the last {(writesRefusedUntil - failedAt).TotalSeconds:+0.00;-0.00} s after the failure; " +
            $"{completed} downloads completed, {metered} metered; {confirmedRevocations.Count} revocations confirmed; " +
            $"limited links served {served.Values.Sum()} times over {served.Count} links; " +
            $"the in-flight download stopped {inFlightStoppedAfter.TotalSeconds:0.00} s after its revocation");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"before the failure, median download time: {Median(requests.Where(r => r.Ok && r.End < failedAt).Select(r => r.End - r.Start)):0.00} ms for the open link, " +
            $"{Median(limitedServed.Where(r => r.End < failedAt).Select(r => r.End - r.Start)):0.00} ms for a counted limited link");
        TestContext.Current.TestOutputHelper?.WriteLine(sentinels.FailoverLog());

        Assert.Empty(violations);
        // The longest stretch without a completed download, wherever it fell after the failure (a planned
        // failover may cause none at the failure itself, and a short one when the old primary is demoted).
        Assert.True(outage < ResumeBound, $"no download completed for {outage}, from {outageStart - failedAt} to {resumedAfter} after the failure");
        Assert.True(writesRefusedUntil - failedAt < WritesResumeBound, $"revocations were still refused {writesRefusedUntil - failedAt} after the failure");
        Assert.True(failures + completed > 500, "the load ran");
        Assert.All(served, pair => Assert.True(pair.Value <= Limit, $"limited link {pair.Key} was served {pair.Value} times"));
        Assert.True(served.Count > 10, "the limited links were exercised");
        Assert.True(confirmedRevocations.Count > 10, "revocations were confirmed");
        foreach (var code in confirmedRevocations.Keys)
        {
            foreach (var gateway in gateways)
            {
                Assert.Equal(HttpStatusCode.Gone, await GetAsync(gateway.Client, code, "final-check", Cancel));
            }
        }

        Assert.IsAssignableFrom<IOException>(slowOutcome);
        Assert.Equal(completed, metered);
    }

    private static async Task DownloadOpenLinkAsync(HttpClient client, string code, Stopwatch clock, ConcurrentQueue<(TimeSpan, TimeSpan, bool)> log, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var start = clock.Elapsed;
            var ok = false;
            try
            {
                // Stopping ends the loop, never a request: a download cut short by the test would be
                // metered by the gateway but not counted here.
                using var response = await client.GetAsync($"/{code}", Cancel);
                var body = await response.Content.ReadAsByteArrayAsync(Cancel);
                ok = response.StatusCode == HttpStatusCode.OK && body.Length == Size;
            }
            catch (HttpRequestException)
            {
            }

            log.Enqueue((start, clock.Elapsed, ok));
            await Pause(ok ? 5 : 25, stop);
        }
    }

    /// <summary>Takes each limited link in turn, a new session per request, until it answers 410; counts what it served.</summary>
    private static async Task ExhaustLimitedLinksAsync(
        GatewayInstance[] gateways, List<string> codes, ConcurrentDictionary<string, int> served, Stopwatch clock, ConcurrentQueue<(TimeSpan, TimeSpan)> log, CancellationToken stop)
    {
        var request = 0;
        foreach (var code in codes)
        {
            while (!stop.IsCancellationRequested)
            {
                var start = clock.Elapsed;
                var status = await GetOrZeroAsync(gateways[request++ % 2].Client, code, Guid.NewGuid().ToString("N"));
                if (status == HttpStatusCode.OK)
                {
                    served.AddOrUpdate(code, 1, static (_, n) => n + 1);
                    log.Enqueue((start, clock.Elapsed));
                }
                else if (status == HttpStatusCode.Gone)
                {
                    break;
                }

                await Pause(status == HttpStatusCode.OK ? 10 : 25, stop);
            }
        }
    }

    /// <summary>
    /// Revokes one link after another; a revocation counts once the API confirmed it (2xx). Between
    /// revocations it downloads links whose revocation was confirmed: any 200 is a violation.
    /// </summary>
    private static async Task RevokeAndProbeAsync(
        GatewayTestEnvironment env, GatewayInstance[] gateways, List<string> codes, Stopwatch clock,
        ConcurrentDictionary<string, TimeSpan> confirmed, ConcurrentQueue<TimeSpan> refused, ConcurrentQueue<string> violations, CancellationToken stop)
    {
        var next = 0;
        var probe = 0;
        while (!stop.IsCancellationRequested && next < codes.Count)
        {
            try
            {
                using var revoke = await env.Admin.PostAsync($"/api/v1/links/{codes[next]}/revoke", null, Cancel);
                if (revoke.IsSuccessStatusCode)
                {
                    confirmed[codes[next]] = clock.Elapsed;
                    next++;
                }
                else
                {
                    refused.Enqueue(clock.Elapsed);
                }
            }
            catch (HttpRequestException)
            {
                refused.Enqueue(clock.Elapsed);
            }

            for (var i = 0; i < 3 && next > 0; i++)
            {
                var code = codes[Random.Shared.Next(next)];
                if (!confirmed.ContainsKey(code))
                {
                    continue;
                }

                var status = await GetOrZeroAsync(gateways[probe++ % 2].Client, code, "probe");
                if (status == HttpStatusCode.OK)
                {
                    violations.Enqueue($"revoked link {code} was served at {clock.Elapsed}");
                }
            }

            await Pause(50, stop);
        }
    }

    private static async Task RevokeUntilConfirmedAsync(GatewayTestEnvironment env, string code, Stopwatch clock, ConcurrentQueue<TimeSpan> refused)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            using var revoke = await env.Admin.PostAsync($"/api/v1/links/{code}/revoke", null, Cancel);
            if (revoke.IsSuccessStatusCode)
            {
                return;
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, revoke.StatusCode);
            refused.Enqueue(clock.Elapsed);
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "the revocation of the in-flight download was refused for a minute");
            await Task.Delay(100, Cancel);
        }
    }

    /// <summary>Reads a few KiB at a time, like a person on a slow line; returns what ended the transfer.</summary>
    private static async Task<Exception?> ReadSlowlyAsync(Stream body, CancellationToken stop)
    {
        var buffer = new byte[4096];
        try
        {
            while (await body.ReadAsync(buffer, stop) > 0)
            {
                await Task.Delay(20, stop);
            }

            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    /// <summary>
    /// The longest stretch around the failure in which no download completed: from the last completion
    /// before it to the first after it. Requests that hang count as much as requests that fail.
    /// </summary>
    private static (TimeSpan From, TimeSpan To) LongestOutage((TimeSpan Start, TimeSpan End, bool Ok)[] requests, TimeSpan failedAt)
    {
        var completions = requests.Where(r => r.Ok).Select(r => r.End).Order().ToArray();
        var longest = (From: failedAt, To: failedAt);
        for (var i = 1; i < completions.Length; i++)
        {
            if (completions[i] > failedAt && completions[i] - completions[i - 1] > longest.To - longest.From)
            {
                longest = (completions[i - 1], completions[i]);
            }
        }

        return longest;
    }

    private static double Median(IEnumerable<TimeSpan> durations)
    {
        var sorted = durations.Select(d => d.TotalMilliseconds).Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    private static async Task WaitForSuccessAfterAsync(ConcurrentQueue<(TimeSpan Start, TimeSpan End, bool Ok)> log, TimeSpan after, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (!log.Any(r => r.Ok && r.Start > after))
        {
            Assert.True(waited.Elapsed < timeout, $"no download succeeded within {timeout} of the promotion");
            await Task.Delay(50, Cancel);
        }
    }

    /// <summary>The status, or 0 when the request failed on the way (the gateway aborts a connection it cannot answer on).</summary>
    private static async Task<HttpStatusCode> GetOrZeroAsync(HttpClient client, string code, string userAgent)
    {
        try
        {
            return await GetAsync(client, code, userAgent, Cancel);
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    private static async Task<HttpStatusCode> GetAsync(HttpClient client, string code, string userAgent, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        request.Headers.UserAgent.ParseAdd(userAgent);
        using var response = await client.SendAsync(request, cancel);
        await response.Content.ReadAsByteArrayAsync(cancel);
        return response.StatusCode;
    }

    private static async Task Pause(int milliseconds, CancellationToken stop)
    {
        try
        {
            await Task.Delay(milliseconds, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
