using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Downloads;

/// <summary>How the gateway treats the upstream connection: what it sends, and how failures propagate.</summary>
public sealed class UpstreamBehaviourTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Only_allow_listed_client_headers_reach_OSS()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(static context => context.Response.WriteAsync("ok"));
        await using var env = await GatewayTestEnvironment.StartAsync();
        await using var gateway = await GatewayInstance.StartAsync(PointedAt(env, upstream));
        var code = await env.CreateLinkAsync("headers.txt");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "client-secret-token");
        request.Headers.Add("Cookie", "session=abc");
        request.Headers.Add("x-oss-meta-evil", "1");
        request.Headers.Add("x-oss-security-token", "forged");
        request.Headers.Add("X-Forwarded-For", "10.0.0.1");
        request.Headers.Add("X-Custom", "nope");
        request.Headers.Range = new RangeHeaderValue(0, 1);
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"abc\""));
        using var response = await gateway.Client.SendAsync(request, Cancel);

        Assert.True(upstream.Requests.TryDequeue(out var recorded));
        Assert.Equal($"/{GatewayTestEnvironment.BucketName}/headers.txt", recorded.RawTarget);
        var seen = recorded.Headers;
        Assert.Equal("bytes=0-1", seen["Range"].ToString());
        Assert.Equal("\"abc\"", seen["If-None-Match"].ToString());
        Assert.StartsWith("OSS4-HMAC-SHA256 Credential=" + GatewayTestEnvironment.AccessKeyId + "/", seen["Authorization"].ToString(), StringComparison.Ordinal);
        Assert.False(seen.ContainsKey("Cookie"));
        Assert.False(seen.ContainsKey("x-oss-meta-evil"));
        Assert.False(seen.ContainsKey("x-oss-security-token"));
        Assert.False(seen.ContainsKey("X-Forwarded-For"));
        Assert.False(seen.ContainsKey("X-Custom"));
        Assert.Equal("UNSIGNED-PAYLOAD", seen["x-oss-content-sha256"].ToString());
    }

    [Fact]
    public async Task A_client_that_aborts_cancels_the_upstream_request()
    {
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            context.RequestAborted.Register(() => upstreamAborted.TrySetResult());
            context.Response.ContentLength = 1L << 40;
            var chunk = new byte[64 * 1024];
            try
            {
                while (!context.RequestAborted.IsCancellationRequested)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    await Task.Delay(10, context.RequestAborted);
                }
            }
            catch (OperationCanceledException)
            {
                upstreamAborted.TrySetResult();
            }
        });
        await using var env = await GatewayTestEnvironment.StartAsync();
        await using var gateway = await GatewayInstance.StartAsync(PointedAt(env, upstream));
        var code = await env.CreateLinkAsync("endless.bin");

        using (var response = await gateway.Client.GetAsync($"/{code}", HttpCompletionOption.ResponseHeadersRead, Cancel))
        {
            await using var body = await response.Content.ReadAsStreamAsync(Cancel);
            await body.ReadExactlyAsync(new byte[128 * 1024], Cancel);
        }

        var finished = await Task.WhenAny(upstreamAborted.Task, Task.Delay(TimeSpan.FromSeconds(10), Cancel));
        Assert.Same(upstreamAborted.Task, finished);
    }

    [Fact]
    public async Task An_upstream_failure_after_the_body_started_aborts_the_client_connection()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(static async context =>
        {
            context.Response.ContentLength = 1024 * 1024;
            await context.Response.Body.WriteAsync(new byte[64 * 1024]);
            await context.Response.Body.FlushAsync();
            await Task.Delay(100);
            context.Abort();
        });
        await using var env = await GatewayTestEnvironment.StartAsync();
        await using var gateway = await GatewayInstance.StartAsync(PointedAt(env, upstream));
        var code = await env.CreateLinkAsync("truncated.bin");

        using var response = await gateway.Client.GetAsync($"/{code}", HttpCompletionOption.ResponseHeadersRead, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync(Cancel);

        // Never a clean but short 200: reading to the end must fail.
        await Assert.ThrowsAnyAsync<IOException>(() => body.CopyToAsync(Stream.Null, Cancel));
    }

    [Fact]
    public async Task Signature_refused_upstream_becomes_502_without_details()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(static async context =>
        {
            context.Response.StatusCode = 403;
            context.Response.Headers["x-oss-request-id"] = "REQ123";
            context.Response.ContentType = "application/xml";
            await context.Response.WriteAsync($"<Error><Code>SignatureDoesNotMatch</Code><OSSAccessKeyId>{GatewayTestEnvironment.AccessKeyId}</OSSAccessKeyId><StringToSign>secret stuff</StringToSign></Error>");
        });
        await using var env = await GatewayTestEnvironment.StartAsync();
        await using var gateway = await GatewayInstance.StartAsync(PointedAt(env, upstream));
        var code = await env.CreateLinkAsync("refused.bin");

        using var response = await gateway.Client.GetAsync($"/{code}", Cancel);
        var body = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.DoesNotContain(GatewayTestEnvironment.AccessKeyId, body, StringComparison.Ordinal);
        Assert.DoesNotContain("StringToSign", body, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("x-oss-request-id"));
    }

    [Fact]
    public async Task Unreachable_upstream_returns_502()
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        var closedPort = StoreServer.FreePort();
        var settings = GatewayTestEnvironment.GatewaySettings(env.Directory, env.Store.ConnectionString, new Uri($"http://127.0.0.1:{closedPort}"));
        await using var gateway = await GatewayInstance.StartAsync(settings);
        var code = await env.CreateLinkAsync("nowhere.bin");

        using var response = await gateway.Client.GetAsync($"/{code}", Cancel);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task Store_outage_returns_503_with_Retry_After_within_seconds()
    {
        await using var env = await GatewayTestEnvironment.StartAsync();
        await env.PutObjectAsync("o.txt", "x"u8.ToArray());
        var code = await env.CreateLinkAsync("o.txt");

        await env.Store.DisposeAsync();
        var watch = Stopwatch.StartNew();
        using var response = await env.Gateway.Client.GetAsync($"/{code}", Cancel);
        watch.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await env.Gateway.Client.GetAsync("/readyz", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await env.Gateway.Client.GetAsync("/healthz", Cancel)).StatusCode);
    }

    private static Dictionary<string, string?> PointedAt(GatewayTestEnvironment env, ScriptedUpstream upstream) =>
        GatewayTestEnvironment.GatewaySettings(env.Directory, env.Store.ConnectionString, upstream.BaseAddress);
}
