using System.Globalization;
using System.Net;
using Gateway.FunctionalTests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.FunctionalTests.Topologies;

/// <summary>
/// Redis replicates asynchronously: a write the primary acknowledged is lost if the primary dies before
/// its replica received it. These tests make that happen on purpose (the replica frozen with SIGSTOP,
/// then the primary killed and the replica promoted) and check that the gateway never promised what was
/// lost: a revocation it confirmed stays, and a limited link never serves more than its limit.
/// </summary>
[Trait("Category", "RedisTopology")]
public sealed class RedisSentinelDurabilityTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Revocations_and_counts_the_replica_never_got_are_not_promised_and_not_lost()
    {
        await using var sentinels = await RedisSentinelSet.StartAsync();
        await using var env = await GatewayTestEnvironment.StartAsync(store: StoreServer.External(sentinels.ConnectionString, "redis-sentinel"));
        await env.PutObjectAsync("durable/file.bin", new byte[1000]);
        var revoked = await env.CreateLinkAsync("durable/file.bin");
        var limited = await env.CreateLinkAsync("durable/file.bin", new { maxDownloads = 1 });
        var client = env.Gateway.Client;
        var primary = await sentinels.PrimaryAsync();
        var replica = sentinels.Servers.Single(s => s != primary);

        // The replica hangs: the primary still lists it, but nothing the primary takes from now on reaches
        // it. The filler fills the socket buffers between them (the kernel would otherwise hold the next
        // writes for the frozen replica and hand them over when it wakes), so what follows stays in the
        // primary's memory and dies with it, as on a real network when the primary's machine fails.
        await replica.FreezeAsync();
        await using (var direct = await ConnectionMultiplexer.ConnectAsync(primary.EndPoint))
        {
            await direct.GetDatabase().StringSetAsync("test:filler", new byte[48 * 1024 * 1024]);
        }

        using var revoke = await env.Admin.PostAsync($"/api/v1/links/{revoked}/revoke", null, Cancel);
        var firstDownload = await GetAsync(client, limited, "first-client");

        // The primary dies with those writes; the replica comes back and the sentinels promote it.
        await primary.KillAsync();
        await replica.ThawAsync();
        await sentinels.WaitForNewPrimaryAsync(primary.Port, TimeSpan.FromSeconds(30));

        TestContext.Current.TestOutputHelper?.WriteLine($"while the replica hung: revoke answered {(int)revoke.StatusCode}, the first download {(int)firstDownload}");
        await RedisProcess.WaitUntilAsync("the gateway to read from the new primary", TimeSpan.FromSeconds(20), async () =>
            await GetAsync(client, revoked, "probe") != HttpStatusCode.ServiceUnavailable);

        // The promises: a confirmed revocation holds, and the limit holds, whatever the failover lost.
        if (revoke.IsSuccessStatusCode)
        {
            Assert.Equal(HttpStatusCode.Gone, await GetAsync(client, revoked, "after"));
        }

        // The first client tries again (a 503 invites that): its own session, not a second download.
        var served = firstDownload == HttpStatusCode.OK ? 1 : 0;
        foreach (var session in new[] { "first-client", "second-client", "third-client" })
        {
            served += await GetAsync(client, limited, session) == HttpStatusCode.OK ? 1 : 0;
        }

        Assert.True(served <= 1, $"the link limited to one download served {served}");

        // How the gateway keeps them: neither write was confirmed by the replica, so neither was promised.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, firstDownload);
        using var again = await env.Admin.PostAsync($"/api/v1/links/{revoked}/revoke", null, Cancel);
        Assert.True(again.IsSuccessStatusCode, $"revoking again on the new primary: {(int)again.StatusCode}");
        Assert.Equal(HttpStatusCode.Gone, await GetAsync(client, revoked, "after"));
        Assert.Equal(1, served);
    }

    /// <summary>
    /// A failover's first step, as Sentinel takes it: the replica is promoted (REPLICAOF NO ONE) while the
    /// old primary still takes writes and lists no replica; when Sentinel makes it a replica of the new
    /// primary, seconds later, it drops them. A revocation written to it then is refused, not promised;
    /// once the replica follows the primary again, revocations are confirmed as before.
    /// </summary>
    [Fact]
    public async Task A_revocation_taken_by_the_primary_after_its_replica_was_promoted_is_not_promised()
    {
        await using var sentinels = await RedisSentinelSet.StartAsync();
        await using var env = await GatewayTestEnvironment.StartAsync(store: StoreServer.External(sentinels.ConnectionString, "redis-sentinel"));
        await env.PutObjectAsync("durable/file.bin", new byte[1000]);
        var link = await env.CreateLinkAsync("durable/file.bin");
        var primary = await sentinels.PrimaryAsync();
        var replica = sentinels.Servers.Single(s => s != primary);

        await replica.CommandAsync("replicaof", "no", "one");
        await RedisProcess.WaitUntilAsync("the old primary to lose its replica", TimeSpan.FromSeconds(10), async () =>
            (await primary.CommandAsync("info", "replication")).Contains("connected_slaves:0", StringComparison.Ordinal));
        // Past the second for which the gateway trusts the replica count it last read.
        await Task.Delay(TimeSpan.FromSeconds(1.5), Cancel);

        using (var revoke = await env.Admin.PostAsync($"/api/v1/links/{link}/revoke", null, Cancel))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, revoke.StatusCode);
        }

        await replica.CommandAsync("replicaof", "127.0.0.1", primary.Port.ToString(CultureInfo.InvariantCulture));
        await RedisProcess.WaitUntilAsync("the replica to follow the primary again", TimeSpan.FromSeconds(20), async () =>
            (await replica.CommandAsync("info", "replication")).Contains("master_link_status:up", StringComparison.Ordinal));
        // The primary counts the replica once it has acknowledged the resync, a moment after the replica
        // reports its link up: revoking is tried again for a while, as an admin client would on a 503.
        var refusedAgain = 0;
        await RedisProcess.WaitUntilAsync("a revocation confirmed with the replica back", TimeSpan.FromSeconds(10), async () =>
        {
            using var again = await env.Admin.PostAsync($"/api/v1/links/{link}/revoke", null, Cancel);
            refusedAgain += again.IsSuccessStatusCode ? 0 : 1;
            return again.IsSuccessStatusCode;
        });
        TestContext.Current.TestOutputHelper?.WriteLine($"with the replica back, the revocation was refused {refusedAgain} times first");

        Assert.Equal(HttpStatusCode.Gone, await GetAsync(env.Gateway.Client, link, "after"));
    }

    /// <summary>
    /// The old primary comes back after the failover with the data it had (here a frozen process that
    /// resumes; a healed partition or a restart from its snapshot look the same) and is a primary again
    /// until Sentinel makes it a replica of the new one. StackExchange.Redis may read from it meanwhile; a
    /// link revoked on the new primary while it was away must not be served from it.
    /// </summary>
    [Fact]
    public async Task A_link_revoked_while_the_old_primary_was_away_is_not_served_when_it_comes_back()
    {
        await using var sentinels = await RedisSentinelSet.StartAsync();
        await using var env = await GatewayTestEnvironment.StartAsync(
            settings => settings["Gateway:Abuse:Downloads:Limit"] = "0",
            StoreServer.External(sentinels.ConnectionString, "redis-sentinel"));
        var second = await env.StartAnotherGatewayAsync();
        GatewayInstance[] gateways = [env.Gateway, second];
        await env.PutObjectAsync("durable/file.bin", new byte[1000]);
        var link = await env.CreateLinkAsync("durable/file.bin");
        var primary = await sentinels.PrimaryAsync();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await primary.FreezeAsync();
        await sentinels.WaitForNewPrimaryAsync(primary.Port, TimeSpan.FromSeconds(30));
        var refused = 0;
        await RedisProcess.WaitUntilAsync("a revocation confirmed on the new primary", TimeSpan.FromSeconds(90), async () =>
        {
            using var revoke = await env.Admin.PostAsync($"/api/v1/links/{link}/revoke", null, Cancel);
            refused += revoke.IsSuccessStatusCode ? 0 : 1;
            return revoke.IsSuccessStatusCode;
        });
        var confirmedAt = clock.Elapsed;

        // Both gateways serve downloads on, as under load, before and after the old primary resumes.
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<(bool Resumed, HttpStatusCode Status), int>();
        var resumed = false;
        using var stop = new CancellationTokenSource();
        var probes = gateways.Select(gateway => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                HttpStatusCode status;
                try
                {
                    status = await GetAsync(gateway.Client, link, "probe");
                }
                catch (HttpRequestException)
                {
                    status = 0;
                }

                statuses.AddOrUpdate((Volatile.Read(ref resumed), status), 1, static (_, n) => n + 1);
                await Task.Delay(25, Cancel);
            }
        }, Cancel)).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(2), Cancel);
        Volatile.Write(ref resumed, true);
        await primary.ThawAsync();
        var resumedAt = clock.Elapsed;
        await RedisProcess.WaitUntilAsync("Sentinel to make the old primary a replica", TimeSpan.FromSeconds(60), async () =>
            (await primary.CommandAsync("info", "replication")).Contains("master_link_status:up", StringComparison.Ordinal));
        var demotedAt = clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(2), Cancel);
        await stop.CancelAsync();
        await Task.WhenAll(probes);

        string Count(bool after) => string.Join(", ", statuses.Where(pair => pair.Key.Resumed == after).Select(pair => $"{(int)pair.Key.Status}: {pair.Value}"));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"revocation refused {refused} times, confirmed {confirmedAt.TotalSeconds:0.0} s after the freeze; before the resume: {Count(false)}; " +
            $"from the resume ({resumedAt.TotalSeconds:0.0} s) until 2 s after the old primary followed the new one ({demotedAt.TotalSeconds:0.0} s): {Count(true)}");
        Assert.DoesNotContain(statuses.Keys, key => key.Status == HttpStatusCode.OK);
        Assert.Contains(statuses.Keys, key => key.Resumed && key.Status == HttpStatusCode.Gone);

        // Whether a gateway read from the old primary above depends on when the client reconnected to it.
        // The fence itself, every time: the primary's epoch set back, as the old primary's was, is refused.
        var current = await sentinels.PrimaryAsync();
        var epoch = (await current.CommandAsync("get", "gw:epoch")).Trim();
        Assert.True(long.Parse(epoch, CultureInfo.InvariantCulture) > 0, $"the epoch was raised when the revocation was confirmed without the old primary: {epoch}");
        await current.CommandAsync("set", "gw:epoch", "0");
        var behind = await Task.WhenAll(gateways.Select(gateway => GetAsync(gateway.Client, link, "behind")));
        await current.CommandAsync("set", "gw:epoch", epoch);
        var caughtUp = await Task.WhenAll(gateways.Select(gateway => GetAsync(gateway.Client, link, "caught-up")));
        Assert.All(behind, status => Assert.Equal(HttpStatusCode.ServiceUnavailable, status));
        Assert.All(caughtUp, status => Assert.Equal(HttpStatusCode.Gone, status));
    }

    private static async Task<HttpStatusCode> GetAsync(HttpClient client, string code, string userAgent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        request.Headers.UserAgent.ParseAdd(userAgent);
        using var response = await client.SendAsync(request, Cancel);
        await response.Content.ReadAsByteArrayAsync(Cancel);
        return response.StatusCode;
    }
}
