using System.Diagnostics;
using Gateway.FunctionalTests.Admin;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Links;
using StackExchange.Redis;

namespace Gateway.FunctionalTests.Policy;

/// <summary>Revoking a link stops its downloads already in progress, on every replica, within a second.</summary>
public sealed class RevocationTests
{
    /// <summary>The re-check's interval (500 ms) plus room for a loaded test machine.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1.5);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("revoke")]
    [InlineData("delete")]
    public async Task Revocation_through_one_replica_aborts_a_slow_download_on_another(string action)
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        var code = await CreateLargeLinkAsync(env);
        var other = await env.StartAnotherGatewayAsync();
        await using var body = await StartSlowDownloadAsync(other, code);

        var revoked = Stopwatch.StartNew();
        using var revoke = action == "revoke"
            ? await env.Admin.PostAsync($"/api/v1/links/{code}/revoke", null, Cancel)
            : await env.Admin.DeleteAsync($"/api/v1/links/{code}", Cancel);
        revoke.EnsureSuccessStatusCode();

        await ReadUntilCutAsync(body, revoked);
        Assert.True(revoked.Elapsed < Bound, $"the download was stopped {revoked.Elapsed} after the revocation");
    }

    [Fact]
    public async Task A_revocation_whose_message_is_lost_still_aborts_the_download_within_the_recheck_bound()
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        var code = await CreateLargeLinkAsync(env);
        var other = await env.StartAnotherGatewayAsync();
        await using var body = await StartSlowDownloadAsync(other, code);

        // The admin API's revocation without its message: the link, then the change log, and no publish.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(env.Store.ConnectionString);
        var revoked = Stopwatch.StartNew();
        await redis.GetDatabase().HashSetAsync(RedisKeys.Link(code), LinkHash.State, "revoked");
        await env.Gateway.Services.GetRequiredService<LinkChangeLog>().RecordAsync(code);

        await ReadUntilCutAsync(body, revoked);
        Assert.True(revoked.Elapsed < Bound, $"the download was stopped {revoked.Elapsed} after the revocation");
    }

    [Fact]
    public async Task An_expiry_moved_earlier_aborts_a_download_in_flight_once_it_passes()
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        var code = await CreateLargeLinkAsync(env);
        var other = await env.StartAnotherGatewayAsync();
        await using var body = await StartSlowDownloadAsync(other, code);

        // An update publishes nothing: only the re-check carries the new expiry to the other replica.
        var lead = TimeSpan.FromSeconds(3);
        var updated = Stopwatch.StartNew();
        using var update = await AdminJson.PatchAsync(env.Admin, code, $$"""{"expiresAt":"{{DateTimeOffset.UtcNow.Add(lead):O}}"}""");
        update.EnsureSuccessStatusCode();

        await ReadUntilCutAsync(body, updated);
        Assert.True(updated.Elapsed > lead - TimeSpan.FromSeconds(0.5), $"the download was stopped {updated.Elapsed} after the update, before the new expiry");
        Assert.True(updated.Elapsed < lead + Bound, $"the download was stopped {updated.Elapsed} after the update, {updated.Elapsed - lead} after the new expiry");
    }

    private static async Task<string> CreateLargeLinkAsync(GatewayTestEnvironment env)
    {
        await using var content = new PatternStream(64L * 1024 * 1024);
        await env.PutObjectAsync("slow.bin", content);
        return await env.CreateLinkAsync("slow.bin");
    }

    /// <summary>Starts a download through the gateway and reads its first bytes.</summary>
    private static async Task<Stream> StartSlowDownloadAsync(GatewayInstance gateway, string code)
    {
        var response = await gateway.Client.GetAsync($"/{code}", HttpCompletionOption.ResponseHeadersRead, Cancel);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStreamAsync(Cancel);
        await body.ReadExactlyAsync(new byte[16 * 1024], Cancel);
        return body;
    }

    /// <summary>Keeps reading slowly, as a person on a slow line would, until the gateway cuts the transfer.</summary>
    private static async Task ReadUntilCutAsync(Stream body, Stopwatch since)
    {
        var buffer = new byte[16 * 1024];
        var error = await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            while (since.Elapsed < TimeSpan.FromSeconds(10))
            {
                if (await body.ReadAsync(buffer, Cancel) == 0)
                {
                    return;
                }

                await Task.Delay(20, Cancel);
            }
        });

        Assert.NotNull(error);
    }
}
