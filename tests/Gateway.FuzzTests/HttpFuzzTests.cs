using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gateway.FunctionalTests.Hardening;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.FunctionalTests.Telemetry;

namespace Gateway.FuzzTests;

/// <summary>
/// A bounded fuzz run against a live gateway (real Kestrel, LocalOss and store): hostile download paths, Range and
/// conditional headers, X-Forwarded-For through a trusted proxy, and admin JSON, generated from one seed for a fixed
/// time. Afterwards: no 5xx, no log entry at Error or Critical (an unhandled exception is logged at Error), every
/// request answered, and managed memory back near the baseline taken after a warm-up.
/// </summary>
/// <remarks>
/// <c>GATEWAY_FUZZ_SECONDS</c> sets the length of the run (45 s by default, which CI runs once per store) and
/// <c>GATEWAY_FUZZ_SEED</c> replays a run. The only test of its process: memory is measured process-wide.
/// </remarks>
public sealed class HttpFuzzTests
{
    private const int Workers = 8;

    /// <summary>
    /// Managed heap after a full, compacting GC may exceed the post-warm-up baseline by this much. The warm-up (the
    /// first third of the run, the same mix of requests) has already filled what is bounded and kept on purpose (Kestrel's and the shared array pools, JIT and routing
    /// caches, the connection multiplexer's buffers); what is left to grow is a few MiB of pool slack. A leak of even
    /// 1 KiB per request would show: the measured part of the run sends tens of thousands of requests.
    /// </summary>
    private const long HeapTolerance = 32L * 1024 * 1024;

    /// <summary>
    /// The working set is looser: the GC keeps freed regions committed for reuse and the OS reclaims lazily, so it
    /// is not expected back at the baseline, only far below what a native leak of a few KiB per request would cost.
    /// </summary>
    private const long WorkingSetTolerance = 128L * 1024 * 1024;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Hostile_requests_get_no_5xx_log_no_error_and_leave_memory_at_its_baseline()
    {
        var seconds = ReadSetting("GATEWAY_FUZZ_SECONDS", 45);
        var seed = ReadSetting("GATEWAY_FUZZ_SEED", Random.Shared.Next());
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"fuzz seed {seed} (GATEWAY_FUZZ_SEED), {seconds} s (GATEWAY_FUZZ_SECONDS), {Workers} concurrent connections");

        await using var env = await GatewayTestEnvironment.StartAsync();
        var logs = new LogLevelCounter();
        var settings = GatewayTestEnvironment.GatewaySettings(env.Directory, env.Store.ConnectionString, env.Oss.BaseAddress);
        settings["Gateway:TrustedProxies:0"] = "127.0.0.1";
        settings["Gateway:Abuse:Downloads:Limit"] = "0";
        settings["Gateway:Abuse:Admin:Limit"] = "0";
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Logging:Console:LogLevel:Default"] = "None";
        await using var gateway = await ObservedGateway.StartAsync(settings, app => app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs));
        var codes = await CreateLinksAsync(env);

        // The first third of the run is the warm-up: the same mix of requests, so every pool and cache the gateway
        // keeps on purpose reaches its working size before the baseline is taken. The rest must then leave no trace.
        var requests = new FuzzRequests(new Random(seed), codes, GatewayTestEnvironment.AdminKey);
        var tally = new Tally();
        var next = 0;
        (string, byte[]) Mixed() => requests.Next(FuzzRequests.Categories[next++ % FuzzRequests.Categories.Length]);
        var watch = Stopwatch.StartNew();
        await RunAsync(gateway.BaseAddress, Mixed, tally, TimeSpan.FromSeconds(seconds / 3.0));
        var warmUpRequests = tally.Total;
        var (baselineHeap, baselineWorkingSet) = await SettledMemoryAsync();
        var settling = watch.Elapsed;
        await RunAsync(gateway.BaseAddress, Mixed, tally, TimeSpan.FromSeconds(seconds * 2 / 3.0));
        var elapsed = watch.Elapsed - settling + TimeSpan.FromSeconds(seconds / 3.0);
        var (finalHeap, finalWorkingSet) = await SettledMemoryAsync();

        var report = tally.Report(elapsed);
        report.AppendLine(CultureInfo.InvariantCulture, $"memory baseline taken after the first {warmUpRequests} requests (the first third of the run), compared after the other {tally.Total - warmUpRequests}");
        report.AppendLine(CultureInfo.InvariantCulture, $"managed heap after full GC: {Mib(baselineHeap)} MiB after warm-up, {Mib(finalHeap)} MiB after the run ({Mib(finalHeap - baselineHeap):+0.0;-0.0} MiB, tolerance {Mib(HeapTolerance)} MiB)");
        report.AppendLine(CultureInfo.InvariantCulture, $"working set: {Mib(baselineWorkingSet)} MiB after warm-up, {Mib(finalWorkingSet)} MiB after the run ({Mib(finalWorkingSet - baselineWorkingSet):+0.0;-0.0} MiB, tolerance {Mib(WorkingSetTolerance)} MiB)");
        report.AppendLine(CultureInfo.InvariantCulture, $"gateway log entries at Warning and above: {(logs.Counts.IsEmpty ? "none" : string.Join(", ", logs.Counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} x{c.Value}")))}");
        foreach (var error in logs.Errors)
        {
            report.AppendLine(error);
        }

        output?.WriteLine(report.ToString());

        Assert.True(tally.Total > 1000, $"only {tally.Total} requests were sent");
        Assert.True(tally.ServerErrors.IsEmpty, $"5xx answers (seed {seed}):\n{string.Join("\n", tally.ServerErrors.Take(10))}\n{report}");
        Assert.True(tally.Unanswered.IsEmpty, $"requests without an answer (seed {seed}):\n{string.Join("\n", tally.Unanswered.Take(10))}\n{report}");
        Assert.True(logs.ErrorCount == 0, $"errors logged (seed {seed}):\n{string.Join("\n", logs.Errors)}");
        Assert.True(finalHeap - baselineHeap < HeapTolerance, report.ToString());
        Assert.True(finalWorkingSet - baselineWorkingSet < WorkingSetTolerance, report.ToString());
    }

    /// <summary>Links of every kind the download path treats differently, plus a few codes that lead nowhere.</summary>
    private static async Task<string[]> CreateLinksAsync(GatewayTestEnvironment env)
    {
        await env.PutObjectAsync("fuzz/object.bin", Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("0123456789", 1000))));
        await env.PutObjectAsync("fuzz/a/../dot.bin", new byte[100]);
        var revoked = await env.CreateLinkAsync("fuzz/object.bin");
        (await env.Admin.PostAsync($"/api/v1/links/{revoked}/revoke", null, Cancel)).EnsureSuccessStatusCode();
        return
        [
            await env.CreateLinkAsync("fuzz/object.bin"),
            await env.CreateLinkAsync("fuzz/object.bin", new { maxDownloads = 5 }),
            await env.CreateLinkAsync("fuzz/object.bin", new { maxDownloads = 1_000_000, filename = "Bericht \"Q3\" 报告.pdf" }),
            await env.CreateLinkAsync("fuzz/object.bin", new { mode = "redirect" }),
            await env.CreateLinkAsync("fuzz/object.bin", new { pinEtag = true }),
            await env.CreateLinkAsync("fuzz/object.bin", new { allowedCidrs = new[] { "10.0.0.0/8", "2001:db8::/32" } }),
            await env.CreateLinkAsync("fuzz/object.bin", new { disposition = "inline", contentType = "text/html" }),
            await env.CreateLinkAsync("fuzz/a/../dot.bin"),
            await env.CreateLinkAsync("fuzz/never-uploaded.bin"),
            revoked,
            "unknownCode1",
        ];
    }

    private static async Task RunAsync(Uri server, Func<(string Category, byte[] Request)> next, Tally tally, TimeSpan duration)
    {
        var generate = new Lock();
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(
            async () =>
            {
                while (watch.Elapsed < duration)
                {
                    // One Random behind a lock: the sequence of requests depends on the seed alone.
                    (string Category, byte[] Request) request;
                    lock (generate)
                    {
                        request = next();
                    }

                    int? status;
                    try
                    {
                        status = await RawHttpClient.SendAsync(server, request.Request, TimeSpan.FromSeconds(30), Cancel);
                    }
                    catch (OperationCanceledException) when (!Cancel.IsCancellationRequested)
                    {
                        status = null;
                    }

                    tally.Add(request.Category, status, request.Request);
                }
            },
            Cancel));
        await Task.WhenAll(workers);
    }

    /// <summary>Managed heap and working set once background work (metering flushes) has settled and a full, compacting GC ran.</summary>
    private static async Task<(long Heap, long WorkingSet)> SettledMemoryAsync()
    {
        await Task.Delay(TimeSpan.FromSeconds(2), Cancel);
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: false), process.WorkingSet64);
    }

    private static int ReadSetting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    private static double Mib(long bytes) => Math.Round(bytes / 1024.0 / 1024.0, 1);

    /// <summary>Requests and answers per category; the requests behind 5xx answers and missing answers, for the failure message.</summary>
    private sealed class Tally
    {
        private readonly ConcurrentDictionary<(string Category, int? Status), int> _counts = new();

        public ConcurrentQueue<string> ServerErrors { get; } = new();

        public ConcurrentQueue<string> Unanswered { get; } = new();

        public int Total => _counts.Values.Sum();

        public void Add(string category, int? status, byte[] request)
        {
            _counts.AddOrUpdate((category, status), 1, static (_, n) => n + 1);
            if (status is >= 500 or null && ServerErrors.Count + Unanswered.Count < 200)
            {
                var head = Encoding.UTF8.GetString(request, 0, Math.Min(request.Length, 400)).ReplaceLineEndings(" | ");
                (status is null ? Unanswered : ServerErrors).Enqueue($"[{category}] {status?.ToString(CultureInfo.InvariantCulture) ?? "no answer"}: {head}");
            }
        }

        public StringBuilder Report(TimeSpan elapsed)
        {
            var report = new StringBuilder();
            report.AppendLine(CultureInfo.InvariantCulture, $"{Total} requests in {elapsed.TotalSeconds:0.0} s ({Total / elapsed.TotalSeconds:0} per second)");
            foreach (var category in FuzzRequests.Categories)
            {
                var statuses = _counts.Where(c => c.Key.Category == category).OrderBy(c => c.Key.Status ?? 0).ToArray();
                report.AppendLine(CultureInfo.InvariantCulture, $"  {category}: {statuses.Sum(s => s.Value)} requests; {string.Join(", ", statuses.Select(s => $"{s.Key.Status?.ToString(CultureInfo.InvariantCulture) ?? "none"} x{s.Value}"))}");
            }

            return report;
        }
    }
}
