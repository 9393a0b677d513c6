using System.Diagnostics;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Policy;

/// <summary>Revoking a link stops its downloads already in progress, on every replica, within a second.</summary>
public sealed class RevocationTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("revoke")]
    [InlineData("delete")]
    public async Task Revocation_through_one_replica_aborts_a_slow_download_on_another(string action)
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        await using var content = new PatternStream(64L * 1024 * 1024);
        await env.PutObjectAsync("slow.bin", content);
        var code = await env.CreateLinkAsync("slow.bin");
        var other = await env.StartAnotherGatewayAsync();

        using var response = await other.Client.GetAsync($"/{code}", HttpCompletionOption.ResponseHeadersRead, Cancel);
        await using var body = await response.Content.ReadAsStreamAsync(Cancel);
        var buffer = new byte[16 * 1024];
        await body.ReadExactlyAsync(buffer, Cancel);

        var revoked = Stopwatch.StartNew();
        using var revoke = action == "revoke"
            ? await env.Admin.PostAsync($"/api/v1/links/{code}/revoke", null, Cancel)
            : await env.Admin.DeleteAsync($"/api/v1/links/{code}", Cancel);
        revoke.EnsureSuccessStatusCode();

        // Keep reading slowly, as a person on a slow line would, until the gateway cuts the transfer.
        var error = await Assert.ThrowsAnyAsync<IOException>(async () =>
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

        Assert.NotNull(error);
        Assert.True(revoked.Elapsed < TimeSpan.FromSeconds(1.5), $"the download was stopped {revoked.Elapsed} after the revocation");
    }
}
