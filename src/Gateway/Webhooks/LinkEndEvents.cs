using System.Collections.Concurrent;
using System.Threading.Channels;
using Gateway.Hosting;
using Gateway.Links;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Webhooks;

/// <summary>
/// <c>link.exhausted</c> and <c>link.expired</c>: the two events the download path discovers. Each is
/// sent once per link across all replicas; this class takes them off the request path.
/// </summary>
/// <remarks>
/// <para>
/// Once: exhausted is decided by the counting script itself (<see cref="CountResult.CountedLast"/>: the
/// one request whose count was the last allowed one, and whose count then stood). Expired is decided
/// here by a script on the link's slot that records the expiry it was sent for
/// (<see cref="RedisKeys.ExpiredNotice"/>): the first replica to record it sends it. A link whose
/// expiry is moved later by PATCH and then passes again is announced again, for the new expiry.
/// </para>
/// <para>
/// Threads: <see cref="RaiseExhausted"/> and <see cref="RaiseExpired"/> run on request threads and
/// only queue (never wait, never touch the store); expired is raised on the refusal path only, so a
/// served download never pays for it. This service's one background loop does the store work (the
/// marker script, then a full read of the link, whose tags the download path does not read) and
/// hands the event to <see cref="IWebhookPublisher.Publish"/>.
/// </para>
/// </remarks>
internal sealed partial class LinkEndEvents(
    IConnectionMultiplexer redis,
    ILinkStore links,
    IWebhookPublisher publisher,
    IOptions<GatewayOptions> options,
    ILogger<LinkEndEvents> logger) : BackgroundService
{
    public const int Capacity = 1024;

    /// <summary>Codes this replica already queued or sent an expiry for; cleared when this large.</summary>
    private const int MemoCapacity = 10_000;

    /// <summary>
    /// KEYS: the notice key. ARGV: the expiry (ms), when to drop the notice (ms). 1 when this call
    /// recorded the expiry first (send the event), 0 when it was already recorded.
    /// </summary>
    private const string RecordExpiryScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[1])
        redis.call('PEXPIREAT', KEYS[1], ARGV[2])
        return 1
        """;

    private readonly Channel<Notice> _notices = Channel.CreateBounded<Notice>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>
    /// Refusals of an expired link can come by the thousand (a bot retrying); one store call per link
    /// and expiry is enough, so later refusals on this replica queue nothing.
    /// </summary>
    private readonly ConcurrentDictionary<string, long> _expiriesSeen = new(StringComparer.Ordinal);

    /// <summary>The download whose count was the link's last allowed one is being served. Request thread; never blocks.</summary>
    public void RaiseExhausted(string code) => Queue(new Notice(WebhookEventTypes.LinkExhausted, code, 0));

    /// <summary>A request was refused because the link has expired. Request thread (refusal path only); never blocks.</summary>
    public void RaiseExpired(Link link)
    {
        if (link.ExpiresAt is not { } expiresAt)
        {
            return;
        }

        var expiry = expiresAt.ToUnixTimeMilliseconds();
        if (_expiriesSeen.TryGetValue(link.Code, out var seen) && seen == expiry)
        {
            return;
        }

        if (_expiriesSeen.Count >= MemoCapacity)
        {
            _expiriesSeen.Clear();
        }

        _expiriesSeen[link.Code] = expiry;
        Queue(new Notice(WebhookEventTypes.LinkExpired, link.Code, expiry));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var notice in _notices.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await SendAsync(notice).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; notices not sent yet are lost with the process, like the publisher's own queue.
        }
    }

    private void Queue(Notice notice)
    {
        if (!_notices.Writer.TryWrite(notice))
        {
            Forget(notice);
            Log.Dropped(logger, notice.Type, Capacity);
        }
    }

    private async Task SendAsync(Notice notice)
    {
        try
        {
            if (notice.Type == WebhookEventTypes.LinkExpired)
            {
                var purgeAt = DateTimeOffset.FromUnixTimeMilliseconds(notice.ExpiresAt) + options.Value.Links.ExpiredRetention;
                var first = (long)await redis.GetDatabase().ScriptEvaluateAsync(
                    RecordExpiryScript,
                    [RedisKeys.ExpiredNotice(notice.Code)],
                    [notice.ExpiresAt, purgeAt.ToUnixTimeMilliseconds()]).ConfigureAwait(false);
                if (first == 0)
                {
                    return;
                }
            }

            // Deleted meanwhile: link.deleted has said the last word about it.
            if (await links.GetAsync(notice.Code).ConfigureAwait(false) is { } link)
            {
                publisher.Publish(notice.Type, WebhookEventData.ForLink(link));
            }
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            // An expiry not recorded is tried again on the next refusal; an exhaustion cannot be.
            Forget(notice);
            Log.StoreFailed(logger, notice.Type, ex);
        }
    }

    private void Forget(Notice notice)
    {
        if (notice.Type == WebhookEventTypes.LinkExpired)
        {
            _expiriesSeen.TryRemove(new KeyValuePair<string, long>(notice.Code, notice.ExpiresAt));
        }
    }

    /// <summary>An event to send; <see cref="ExpiresAt"/> (Unix ms) only for link.expired.</summary>
    private readonly record struct Notice(string Type, string Code, long ExpiresAt);

    private static partial class Log
    {
        [LoggerMessage(EventId = 7511, Level = LogLevel.Warning, Message = "The link event queue was full ({Capacity}); a {Type} event was not sent")]
        public static partial void Dropped(ILogger logger, string type, int capacity);

        [LoggerMessage(EventId = 7512, Level = LogLevel.Warning, Message = "A {Type} event could not be prepared: the link store failed")]
        public static partial void StoreFailed(ILogger logger, string type, Exception exception);
    }
}
