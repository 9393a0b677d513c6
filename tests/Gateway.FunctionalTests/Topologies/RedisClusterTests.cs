using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Downloads;
using Gateway.FunctionalTests.Admin;
using Gateway.FunctionalTests.Infrastructure;
using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;
using static Gateway.FunctionalTests.Metering.StatsRequests;

namespace Gateway.FunctionalTests.Topologies;

/// <summary>
/// The gateway against a three-master Redis Cluster, every promise of the product checked once:
/// downloads, limits across replicas, revocation (also of a download in flight on another replica),
/// metering and stats, listing, audit. Links hash to all three masters, so anything that assumed one
/// node (a multi-slot script, a keyless read, a subscription) shows here.
/// </summary>
[Trait("Category", "RedisTopology")]
public sealed class RedisClusterTests(RedisCluster cluster) : IClassFixture<RedisCluster>, IAsyncLifetime
{
    private const int Size = 50_000;

    private GatewayTestEnvironment _env = null!;
    private GatewayInstance _second = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        // Trusted, so a test can play many clients at once (X-Forwarded-For): from one address, their 410s
        // would add up against the 404/410 allowance, which both replicas share.
        _env = await GatewayTestEnvironment.StartAsync(settings => settings["Gateway:TrustedProxies:0"] = "127.0.0.1", store: StoreServer.External(cluster.ConnectionString, "redis-cluster"));
        _second = await _env.StartAnotherGatewayAsync();
        await _env.PutObjectAsync("cluster/file.bin", Payload);
    }

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    private static byte[] Payload { get; } = [.. Enumerable.Range(0, Size).Select(i => (byte)(i * 7))];

    [Fact]
    public async Task Links_spread_over_every_master_download_from_both_replicas()
    {
        var codes = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            codes.Add(await _env.CreateLinkAsync("cluster/file.bin"));
        }

        foreach (var (code, i) in codes.Select((code, i) => (code, i)))
        {
            var client = i % 2 == 0 ? _env.Gateway.Client : _second.Client;
            using var response = await client.GetAsync($"/{code}", Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(Payload, await response.Content.ReadAsByteArrayAsync(Cancel));
        }

        Assert.All(await cluster.KeysPerNodeAsync(), keys => Assert.True(keys > 0, "every master holds some of the links"));
    }

    [Fact]
    public async Task The_404_410_allowance_is_counted_once_for_both_replicas()
    {
        // The default allowance, 30 a minute: one script per miss on the client's own key, in any slot.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 31; i++)
        {
            statuses.Add(await GetAsync(i % 2 == 0 ? _env.Gateway.Client : _second.Client, $"no-such-code-{i}", "guesser", forwardedFor: "203.0.113.200"));
        }

        Assert.Equal(30, statuses.Count(s => s == HttpStatusCode.NotFound));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task Forty_concurrent_first_time_clients_on_two_replicas_get_exactly_the_limit()
    {
        var code = await _env.CreateLinkAsync("cluster/file.bin", new { maxDownloads = 5 });

        var statuses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => GetAsync(i % 2 == 0 ? _env.Gateway.Client : _second.Client, code, $"client-{i}", forwardedFor: $"198.51.100.{i + 1}")));

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(35, statuses.Count(s => s == HttpStatusCode.Gone));
        var link = await _env.GetLinkAsync(code);
        Assert.Equal(5, link.GetProperty("usedDownloads").GetInt64());
        Assert.Equal("exhausted", link.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Revocation_through_one_replica_stops_a_download_in_flight_on_the_other_and_every_later_request()
    {
        await using (var large = new PatternStream(64L * 1024 * 1024))
        {
            await _env.PutObjectAsync("cluster/large.bin", large);
        }

        var code = await _env.CreateLinkAsync("cluster/large.bin");

        // The revocation message itself crosses the cluster (not only the half-second re-check): a
        // subscriber on its own connection to the cluster hears it.
        await using var listener = await ConnectionMultiplexer.ConnectAsync(cluster.ConnectionString);
        var heard = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await listener.GetSubscriber().SubscribeAsync(RevocationWatcher.Channel, (_, message) => heard.TrySetResult((string)message!));

        using var response = await _second.Client.GetAsync($"/{code}", HttpCompletionOption.ResponseHeadersRead, Cancel);
        await using var body = await response.Content.ReadAsStreamAsync(Cancel);
        var buffer = new byte[16 * 1024];
        await body.ReadExactlyAsync(buffer, Cancel);

        var revoked = Stopwatch.StartNew();
        (await _env.Admin.PostAsync($"/api/v1/links/{code}/revoke", null, Cancel)).EnsureSuccessStatusCode();
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            while (revoked.Elapsed < TimeSpan.FromSeconds(10))
            {
                if (await body.ReadAsync(buffer, Cancel) == 0)
                {
                    return;
                }

                await Task.Delay(20, Cancel);
            }
        });

        Assert.True(revoked.Elapsed < TimeSpan.FromSeconds(1.5), $"the download was stopped {revoked.Elapsed} after the revocation");
        Assert.Equal(code, await heard.Task.WaitAsync(TimeSpan.FromSeconds(5), Cancel));
        Assert.Equal(HttpStatusCode.Gone, await GetAsync(_env.Gateway.Client, code, "late"));
        Assert.Equal(HttpStatusCode.Gone, await GetAsync(_second.Client, code, "late"));
    }

    [Fact]
    public async Task Deleted_link_is_gone_everywhere_and_its_vanity_code_starts_from_nothing()
    {
        var code = "cluster-vanity-" + Guid.NewGuid().ToString("N")[..8];
        await _env.CreateLinkAsync("cluster/file.bin", new { code });
        Assert.Equal(HttpStatusCode.OK, await GetAsync(_second.Client, code, "first"));
        (await _env.Admin.DeleteAsync($"/api/v1/links/{code}", Cancel)).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.NotFound, await GetAsync(_second.Client, code, "after-delete"));
        await _env.CreateLinkAsync("cluster/file.bin", new { code });
        Assert.Equal(0, (await _env.GetLinkAsync(code)).GetProperty("downloads").GetInt64());
    }

    [Fact]
    public async Task Downloads_through_both_replicas_are_metered_per_link_per_bucket_and_in_the_top_list()
    {
        var codes = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            codes.Add(await _env.CreateLinkAsync("cluster/file.bin"));
        }

        var bucketsBefore = BucketDownloads(await GetJsonAsync(_env.Admin, $"/api/v1/stats/buckets?day={Day(Today)}"));
        for (var i = 0; i < codes.Count; i++)
        {
            for (var n = 0; n <= i; n++)
            {
                Assert.Equal(HttpStatusCode.OK, await GetAsync(n % 2 == 0 ? _env.Gateway.Client : _second.Client, codes[i], $"meter-{n}"));
            }
        }

        foreach (var (code, i) in codes.Select((code, i) => (code, i)))
        {
            var stats = await WaitForAsync(_env.Admin, $"/api/v1/links/{code}/stats", s => s.GetProperty("totals").Long("downloads") == i + 1);
            Assert.Equal((i + 1, i + 1, 0, (i + 1L) * Size), stats.GetProperty("totals").Counts());
            Assert.Equal(i + 1, stats.GetProperty("days").EnumerateArray().Last().Long("downloads"));
        }

        var buckets = await GetJsonAsync(_env.Admin, $"/api/v1/stats/buckets?day={Day(Today)}");
        Assert.Equal(21, BucketDownloads(buckets) - bucketsBefore);
        var top = await GetJsonAsync(_env.Admin, "/api/v1/stats/top?by=downloads&limit=100");
        var ranked = top.GetProperty("links").EnumerateArray().Select(l => l.GetProperty("code").GetString()).ToList();
        Assert.True(ranked.IndexOf(codes[5]) < ranked.IndexOf(codes[0]), "the most downloaded link ranks above the least downloaded");
    }

    [Fact]
    public async Task Listing_walks_links_of_every_master_newest_first_with_filters()
    {
        var tag = "cluster-" + Guid.NewGuid().ToString("N")[..8];
        var created = new List<string>();
        for (var i = 0; i < 9; i++)
        {
            created.Add(await _env.CreateLinkAsync("cluster/file.bin", new { tags = new[] { tag } }));
        }

        (await _env.Admin.PostAsync($"/api/v1/links/{created[0]}/revoke", null, Cancel)).EnsureSuccessStatusCode();

        var listed = await AdminJson.ReadAllPagesAsync(_env.Admin, $"/api/v1/links?tag={tag}", limit: 4);
        var revoked = await AdminJson.ReadAllPagesAsync(_env.Admin, $"/api/v1/links?tag={tag}&state=revoked", limit: 4);

        // Newest first; links created within the same millisecond may come in either order.
        Assert.Equal(created.Order(), listed.Select(l => l.GetProperty("code").GetString()!).Order());
        var times = listed.Select(l => l.GetProperty("createdAt").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderDescending(), times);
        Assert.Equal([created[0]], revoked.Select(l => l.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Every_admin_action_is_in_the_audit_log_read_from_either_replica()
    {
        var code = await _env.CreateLinkAsync("cluster/file.bin");
        (await AdminJson.PatchAsync(_env.Admin, code, """{"note":"cluster"}""")).EnsureSuccessStatusCode();
        (await _env.Admin.PostAsync($"/api/v1/links/{code}/revoke", null, Cancel)).EnsureSuccessStatusCode();
        (await _env.Admin.PostAsync($"/api/v1/links/{code}/restore", null, Cancel)).EnsureSuccessStatusCode();
        (await _env.Admin.DeleteAsync($"/api/v1/links/{code}", Cancel)).EnsureSuccessStatusCode();

        using var secondAdmin = _second.CreateClient(GatewayTestEnvironment.AdminKey);
        var entries = (await AdminJson.GetOkAsync(secondAdmin, $"/api/v1/audit?code={code}")).GetProperty("items").EnumerateArray().ToList();

        Assert.Equal(["delete", "restore", "revoke", "update", "create"], entries.Select(e => e.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task The_distributed_cache_shares_the_multiplexer_and_works_on_the_cluster()
    {
        // Registered for features that cache through it (PITFALLS 17): its keys are single-key hashes, legal on any slot.
        var cache = _env.Gateway.Services.GetRequiredService<IDistributedCache>();
        var keys = Enumerable.Range(0, 12).Select(i => $"cluster-cache-{Guid.NewGuid():N}-{i}").ToList();
        foreach (var key in keys)
        {
            await cache.SetAsync(key, Encoding.UTF8.GetBytes(key), new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(1) }, Cancel);
        }

        var secondCache = _second.Services.GetRequiredService<IDistributedCache>();
        foreach (var key in keys)
        {
            Assert.Equal(key, Encoding.UTF8.GetString(await secondCache.GetAsync(key, Cancel) ?? []));
            await secondCache.RefreshAsync(key, Cancel);
            await secondCache.RemoveAsync(key, Cancel);
            Assert.Null(await cache.GetAsync(key, Cancel));
        }
    }

    private static long BucketDownloads(JsonElement buckets) =>
        buckets.GetProperty("buckets").EnumerateArray().Where(b => b.GetProperty("bucket").GetString() == GatewayTestEnvironment.BucketAlias).Sum(b => b.Long("downloads"));

    private static async Task<HttpStatusCode> GetAsync(HttpClient client, string code, string userAgent, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        request.Headers.UserAgent.ParseAdd(userAgent);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        using var response = await client.SendAsync(request, Cancel);
        await response.Content.ReadAsByteArrayAsync(Cancel);
        return response.StatusCode;
    }
}
