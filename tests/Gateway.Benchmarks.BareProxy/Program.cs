using System.Net;
using Gateway.Benchmarks.BareProxy;
using StackExchange.Redis;
using Yarp.ReverseProxy.Forwarder;

// The least a YARP proxy in front of OSS does per request: Kestrel takes the request, YARP forwards it
// over HTTP/1.1 with one pooled SocketsHttpHandler and copies the body back. Every request goes to the
// one presigned URL given as BARE_TARGET, so the origin checks a signature as it does for the gateway.
// No link lookup, signing, policy, metering, logging or telemetry: load/run.sh measures this beside the
// gateway, and the difference is what the gateway's own work costs. With BARE_REDIS (a StackExchange.Redis
// connection string) each request first reads one hash from Redis, as the gateway reads its link (three
// fields of a hash that is not there: the round trip, not the parsing of a link): the cost of that round
// trip alone.
var target = Environment.GetEnvironmentVariable("BARE_TARGET") is { Length: > 0 } value
    ? new Uri(value)
    : throw new InvalidOperationException("BARE_TARGET must be the presigned URL every request is forwarded to.");

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.AddHttpForwarder();
var app = builder.Build();
var redis = Environment.GetEnvironmentVariable("BARE_REDIS") is { Length: > 0 } redisConfiguration
    ? (await ConnectionMultiplexer.ConnectAsync(redisConfiguration).ConfigureAwait(false)).GetDatabase()
    : null;
RedisValue[] fields = ["bucket", "key", "mode"];

var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
// The gateway's upstream handler settings that matter per request (src/Gateway/Downloads/UpstreamClient.cs).
var invoker = new HttpMessageInvoker(new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseCookies = false,
    ActivityHeadersPropagator = null,
    ConnectTimeout = TimeSpan.FromSeconds(10),
});
var requestConfig = new ForwarderRequestConfig { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
var origin = target.GetLeftPart(UriPartial.Authority);
var transformer = new FixedTargetTransformer(target.PathAndQuery);

// A plain RequestDelegate: YARP has answered by the time it returns (an error included), nothing to write.
app.Map("/{**path}", (RequestDelegate)(async context =>
{
    if (redis is not null)
    {
        await redis.HashGetAsync("bare:link", fields).ConfigureAwait(false);
    }

    await forwarder.SendAsync(context, origin, invoker, requestConfig, transformer).ConfigureAwait(false);
}));
app.Run();
