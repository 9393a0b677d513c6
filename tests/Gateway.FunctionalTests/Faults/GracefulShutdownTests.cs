using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gateway.FunctionalTests.Infrastructure;
using static Gateway.FunctionalTests.Metering.StatsRequests;

namespace Gateway.FunctionalTests.Faults;

/// <summary>
/// SIGTERM on a real gateway process under load: readiness goes at once, new connections are refused
/// (after <c>Gateway:ShutdownDelay</c>, when set), downloads in flight finish within
/// <c>Gateway:ShutdownTimeout</c> or are cut after it (never a clean but short 200), and the metering
/// written on the way out is exact.
/// </summary>
public sealed class GracefulShutdownTests
{
    private const int SmallSize = 256 * 1024;

    // Larger than everything the socket buffers on both sides of the gateway can hold, so a held
    // download really is still in flight when the drain ends.
    private const int LargeSize = 64 * 1024 * 1024;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Readiness_answers_503_as_soon_as_the_host_begins_to_stop()
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        using var ready = await env.Gateway.Client.GetAsync("/readyz", Cancel);

        // Fires ApplicationStopping as SIGTERM does; hosted here by StartAsync, the host itself does not stop.
        env.Gateway.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        using var stopping = await env.Gateway.Client.GetAsync("/readyz", Cancel);
        using var alive = await env.Gateway.Client.GetAsync("/healthz", Cancel);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stopping.StatusCode);
        Assert.Equal("shutting down\n", await stopping.Content.ReadAsStringAsync(Cancel));
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task Sigterm_under_load_drains_then_cuts_what_is_left_and_meters_every_download_exactly()
    {
        // 15 s of drain in the test (30 s by default): long enough for the steps below on a loaded
        // 2-core machine, short enough to wait out.
        var shutdownTimeout = TimeSpan.FromSeconds(15);
        await using var env = await GatewayTestEnvironment.StartAsync();
        await env.PutObjectAsync("small.bin", new PatternStream(SmallSize));
        await env.PutObjectAsync("large.bin", new PatternStream(LargeSize));
        var small = await env.CreateLinkAsync("small.bin");
        var finishing = await env.CreateLinkAsync("large.bin");
        var held = await env.CreateLinkAsync("large.bin");
        var settings = GatewayTestEnvironment.GatewaySettings(env.Directory, env.Store.ConnectionString, env.Oss.BaseAddress);
        settings["Gateway:ShutdownTimeout"] = shutdownTimeout.ToString();
        await using var gateway = await GatewayProcess.StartAsync(settings);

        var load = DownloadLoad.Start(() => gateway.BaseAddress, $"/{small}", SmallSize, clients: 4, stopWhenRefused: true);
        await using var finisher = await HeldDownload.StartAsync(new Uri(gateway.BaseAddress, $"/{finishing}"), 1024 * 1024);
        await using var holder = await HeldDownload.StartAsync(new Uri(gateway.BaseAddress, $"/{held}"), 1024 * 1024);
        await WaitUntilAsync(() => load.Completed >= 20, TimeSpan.FromMinutes(1), () => $"load never got going: {load}");

        var terminated = Stopwatch.StartNew();
        gateway.Terminate();

        // New connections are refused (the listener is closed) while both large downloads are still in flight.
        await WaitUntilAsync(() => !Accepts(gateway.BaseAddress), shutdownTimeout, () => "the gateway still accepted connections");
        var refusedAfter = terminated.Elapsed;
        Assert.False(gateway.HasExited);

        // The finisher reads the rest now, within the drain: it gets the whole file.
        var finisherClean = await finisher.ReadToEndAsync();
        var finishedAfter = terminated.Elapsed;
        await load.WhenAllEnded(TimeSpan.FromMinutes(1));

        // The holder reads nothing more until the process is gone: it is cut when the drain ends.
        await gateway.WaitForExitAsync(shutdownTimeout + TimeSpan.FromSeconds(30));
        var exitedAfter = terminated.Elapsed;
        var holderClean = await holder.ReadToEndAsync();

        var diagnostics = $"refused after {refusedAfter.TotalSeconds:0.00} s, finisher done after {finishedAfter.TotalSeconds:0.00} s, exit after {exitedAfter.TotalSeconds:0.00} s; load: {load}; process output:\n{gateway.Output}";
        TestContext.Current.TestOutputHelper?.WriteLine($"SIGTERM: {diagnostics}");
        Assert.True(finishedAfter < shutdownTimeout, diagnostics);
        Assert.True(finisherClean, diagnostics);
        Assert.Equal(LargeSize, finisher.Received);
        Assert.Equal(HttpStatusCode.OK, holder.Status);
        Assert.Equal(LargeSize, holder.ContentLength);
        Assert.False(holderClean, diagnostics);
        Assert.True(holder.Received < LargeSize, diagnostics);
        // The drain lasts the timeout (the holder keeps it busy) and then ends promptly; 20 s of slack for a loaded machine.
        Assert.InRange(exitedAfter, shutdownTimeout - TimeSpan.FromSeconds(1), shutdownTimeout + TimeSpan.FromSeconds(20));
        Assert.Equal(0, gateway.ExitCode);
        Assert.Equal(0, load.ShortBodies);
        Assert.Empty(load.OtherStatuses);

        // Metering was written on the way out: read at once, no waiting for a flush that cannot come.
        var smallStats = (await GetJsonAsync(env.Admin, $"/api/v1/links/{small}/stats")).GetProperty("totals").Counts();
        var finisherStats = (await GetJsonAsync(env.Admin, $"/api/v1/links/{finishing}/stats")).GetProperty("totals").Counts();
        var holderStats = (await GetJsonAsync(env.Admin, $"/api/v1/links/{held}/stats")).GetProperty("totals").Counts();
        TestContext.Current.TestOutputHelper?.WriteLine($"SIGTERM metering: small {smallStats}, finisher {finisherStats}, holder {holderStats}");

        Assert.Equal(load.Completed, smallStats.Downloads);
        Assert.Equal(load.CutAfterHeaders, smallStats.Aborted);
        // A request that met a closing connection before any header may or may not have started on the gateway.
        Assert.InRange(smallStats.Started, load.Completed + load.CutAfterHeaders, load.Completed + load.CutAfterHeaders + load.FailedBeforeHeaders);
        Assert.InRange(smallStats.Bytes, load.CompletedBytes + load.CutBytes, load.CompletedBytes + (load.CutAfterHeaders * (long)SmallSize));
        Assert.Equal((1, 1, 0, LargeSize), finisherStats);
        Assert.Equal((1L, 0L, 1L), (holderStats.Started, holderStats.Downloads, holderStats.Aborted));
        // Bytes of an abort are what was handed to the socket: at least what the client read, never the whole file.
        Assert.InRange(holderStats.Bytes, holder.Received, LargeSize - 1);
    }

    [Fact]
    public async Task With_a_shutdown_delay_sigterm_turns_readiness_off_and_serves_new_connections_until_the_delay_ends()
    {
        var delay = TimeSpan.FromSeconds(3);
        await using var env = await GatewayTestEnvironment.StartAsync();
        await env.PutObjectAsync("small.bin", new PatternStream(SmallSize));
        var small = await env.CreateLinkAsync("small.bin");
        var settings = GatewayTestEnvironment.GatewaySettings(env.Directory, env.Store.ConnectionString, env.Oss.BaseAddress);
        settings["Gateway:ShutdownDelay"] = delay.ToString();
        settings["Gateway:ShutdownTimeout"] = "00:00:05";
        await using var gateway = await GatewayProcess.StartAsync(settings);
        // Every request on a connection of its own, as a client the load balancer still sends here would open.
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = gateway.BaseAddress };

        var terminated = Stopwatch.StartNew();
        gateway.Terminate();
        using var readiness = await client.GetAsync("/readyz", Cancel);
        var readinessAfter = terminated.Elapsed;
        using var download = await client.GetAsync($"/{small}", Cancel);
        var body = await download.Content.ReadAsByteArrayAsync(Cancel);
        var downloadedAfter = terminated.Elapsed;
        Assert.True(Accepts(gateway.BaseAddress), "the listener closed before the delay ended");
        var stillAcceptingAfter = terminated.Elapsed;

        await WaitUntilAsync(() => !Accepts(gateway.BaseAddress), delay + TimeSpan.FromSeconds(20), () => "the gateway never closed its listener");
        var refusedAfter = terminated.Elapsed;
        await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var exitedAfter = terminated.Elapsed;

        var diagnostics = $"readiness answered after {readinessAfter.TotalSeconds:0.00} s, the download done after {downloadedAfter.TotalSeconds:0.00} s, " +
            $"still accepting after {stillAcceptingAfter.TotalSeconds:0.00} s, refused after {refusedAfter.TotalSeconds:0.00} s, exit after {exitedAfter.TotalSeconds:0.00} s; process output:\n{gateway.Output}";
        TestContext.Current.TestOutputHelper?.WriteLine($"SIGTERM with a {delay.TotalSeconds} s delay: {diagnostics}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness.StatusCode);
        Assert.Equal("shutting down\n", await readiness.Content.ReadAsStringAsync(Cancel));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(SmallSize, body.Length);
        // The checks above ran inside the delay; the listener closed once it was over, and the process then left at once.
        Assert.True(stillAcceptingAfter < delay, diagnostics);
        Assert.True(refusedAfter >= delay, diagnostics);
        Assert.True(exitedAfter < delay + TimeSpan.FromSeconds(10), diagnostics);
        Assert.Equal(0, gateway.ExitCode);
        Assert.Contains("Gateway:ShutdownDelay", gateway.Output, StringComparison.Ordinal);
    }

    private static bool Accepts(Uri address)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect(IPAddress.Loopback, address.Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> failure)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < timeout, failure());
            await Task.Delay(20, Cancel);
        }
    }
}
