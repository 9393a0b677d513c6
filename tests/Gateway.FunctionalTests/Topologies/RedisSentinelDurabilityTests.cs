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

    private static async Task<HttpStatusCode> GetAsync(HttpClient client, string code, string userAgent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        request.Headers.UserAgent.ParseAdd(userAgent);
        using var response = await client.SendAsync(request, Cancel);
        await response.Content.ReadAsByteArrayAsync(Cancel);
        return response.StatusCode;
    }
}
