using Gateway.Downloads;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Hosting;
using Gateway.Links;
using Gateway.Metering;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StackExchange.Redis.Profiling;

namespace Gateway.FunctionalTests.Downloads;

/// <summary>
/// The revocation re-check against a real store, with downloads registered straight on
/// <see cref="InFlightDownloads"/> (10,000 HTTP downloads would measure the test machine, not the
/// re-check) and passes run one at a time. Pub/sub is never subscribed here, so every revocation
/// message is "lost": only the re-check can stop a download. The watcher has a connection of its
/// own whose every command is recorded (StackExchange.Redis profiling), on redis-server and Garnet alike.
/// </summary>
public sealed class RevocationWatcherTests : IAsyncLifetime
{
    private readonly List<ReplicatedWrites> _writes = [];

    private StoreServer _store = null!;
    private ConnectionMultiplexer _watcherConnection = null!;
    private ConnectionMultiplexer _adminConnection = null!;
    private ProfilingSession? _profile;

    private readonly ShiftedClock _clock = new();
    private readonly InFlightDownloads _inFlight = new();
    private RevocationWatcher _watcher = null!;

    /// <summary>The store as the admin API writes to it (revoke, delete, update), on another connection.</summary>
    private RedisLinkStore _admin = null!;

    public async ValueTask InitializeAsync()
    {
        _store = await StoreServer.StartAsync();
        _watcherConnection = await ConnectionMultiplexer.ConnectAsync(RedisConnectionOptions.Create(_store.ConnectionString));
        _watcherConnection.RegisterProfiler(() => _profile);
        _adminConnection = await ConnectionMultiplexer.ConnectAsync(RedisConnectionOptions.Create(_store.ConnectionString));
        _admin = StoreOn(_adminConnection);
        _watcher = new RevocationWatcher(_watcherConnection, StoreOn(_watcherConnection), LogOn(_watcherConnection), _inFlight, _clock, NullLogger<RevocationWatcher>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var writes in _writes)
        {
            writes.Dispose();
        }

        await _watcherConnection.DisposeAsync();
        await _adminConnection.DisposeAsync();
        await _store.DisposeAsync();
    }

    [Fact]
    public async Task Ten_thousand_downloads_in_flight_cost_one_command_a_pass_and_only_changed_links_are_read()
    {
        const int Downloads = 10_000;
        var registrations = await StartDownloadsAsync(Downloads);

        // The first pass cannot know what changed before it: it reads every link, in pipelined batches.
        var (first, firstCommands, firstRoundTrips) = await MeasureAsync(_watcher.RecheckAsync);
        Assert.True(first.Swept);
        Assert.Equal(Downloads, first.LinksRead);
        Assert.Equal(1 + Downloads, firstCommands.Count);
        Assert.InRange(firstRoundTrips, 1, 1 + (Downloads / RevocationWatcher.SweepBatchSize) + 1);

        // Nothing changed: the change log, and nothing else.
        for (var pass = 0; pass < 3; pass++)
        {
            var (quiet, commands, roundTrips) = await MeasureAsync(_watcher.RecheckAsync);
            Assert.False(quiet.Swept);
            Assert.Equal(0, quiet.LinksRead);
            Assert.Single(commands);
            Assert.Equal(1, roundTrips);
        }

        // Five links revoked or deleted (their messages lost): the log, then those five in one round trip.
        await _admin.SetStateAsync(registrations[10].Code, LinkState.Revoked);
        await _admin.SetStateAsync(registrations[2_000].Code, LinkState.Revoked);
        await _admin.DeleteAsync(registrations[4_000].Code);
        await _admin.DeleteAsync(registrations[6_000].Code);
        await _admin.SetStateAsync(registrations[9_999].Code, LinkState.Revoked);
        var (changed, changedCommands, changedRoundTrips) = await MeasureAsync(_watcher.RecheckAsync);
        Assert.False(changed.Swept);
        Assert.Equal(5, changed.LinksRead);
        Assert.Equal(5, changed.Stopped);
        Assert.Equal(6, changedCommands.Count);
        Assert.Equal(5, changedCommands.Count(static c => c == "HMGET"));
        Assert.Equal(2, changedRoundTrips);
        Assert.Equal([10, 2_000, 4_000, 6_000, 9_999], Stopped(registrations));

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{_store.Kind}, {Downloads} in flight: first pass {firstCommands.Count} commands in {firstRoundTrips} round trips; " +
            $"quiet pass 1 command in 1 round trip; 5 changes {changedCommands.Count} commands in {changedRoundTrips} round trips");
    }

    [Fact]
    public async Task A_restored_link_and_an_unrelated_change_leave_downloads_running()
    {
        var registrations = await StartDownloadsAsync(3);
        await _watcher.RecheckAsync();

        await _admin.SetStateAsync(registrations[0].Code, LinkState.Revoked);
        await _admin.SetStateAsync(registrations[0].Code, LinkState.Active);
        await CreateLinksAsync(["unrelated"]);
        await _admin.DeleteAsync("unrelated");
        var pass = await _watcher.RecheckAsync();

        Assert.Equal(1, pass.LinksRead);
        Assert.Empty(Stopped(registrations));
    }

    [Fact]
    public async Task An_expiry_moved_earlier_by_an_update_stops_the_download_when_it_passes()
    {
        var registrations = await StartDownloadsAsync(2, expiresAt: _clock.GetUtcNow().AddHours(1));
        await _watcher.RecheckAsync();

        var link = (await _admin.GetAsync(registrations[0].Code))!;
        var sooner = DateTimeOffset.FromUnixTimeMilliseconds(_clock.GetUtcNow().AddSeconds(20).ToUnixTimeMilliseconds());
        Assert.Equal(LinkUpdateResult.Updated, await _admin.TryUpdateAsync(link, link with { ExpiresAt = sooner }, [LinkHash.ExpiresAt]));

        var update = await _watcher.RecheckAsync();
        Assert.Equal(1, update.LinksRead);
        Assert.Empty(Stopped(registrations));
        Assert.Equal(sooner, registrations[0].ExpiresAt);

        // Seen passing here, then confirmed with one read (the store may know a later one).
        _clock.Shift(TimeSpan.FromSeconds(20));
        var expired = await _watcher.RecheckAsync();
        Assert.False(expired.Swept);
        Assert.Equal(1, expired.LinksRead);
        Assert.Equal(1, expired.Stopped);
        Assert.Equal([0], Stopped(registrations));
    }

    [Fact]
    public async Task An_expiry_moved_later_by_an_update_keeps_the_download_running_past_the_old_one()
    {
        var registrations = await StartDownloadsAsync(1, expiresAt: _clock.GetUtcNow().AddSeconds(20));
        await _watcher.RecheckAsync();

        var link = (await _admin.GetAsync(registrations[0].Code))!;
        await _admin.TryUpdateAsync(link, link with { ExpiresAt = _clock.GetUtcNow().AddHours(1) }, [LinkHash.ExpiresAt]);
        var update = await _watcher.RecheckAsync();
        Assert.Equal(1, update.LinksRead);

        _clock.Shift(TimeSpan.FromSeconds(25));
        var pass = await _watcher.RecheckAsync();

        Assert.False(pass.Swept);
        Assert.Equal(0, pass.LinksRead);
        Assert.Empty(Stopped(registrations));
    }

    [Fact]
    public async Task A_download_that_read_its_link_before_a_handled_change_and_registered_after_it_is_stopped()
    {
        var running = await StartDownloadsAsync(1);
        await _watcher.RecheckAsync();

        // The late download reads its link (active), then its revocation is handled by a pass
        // while it is still being admitted, and only then does it register.
        const string late = "late-download";
        await CreateLinksAsync([late]);
        var generationAtRead = _inFlight.Generation;
        var linkAtRead = (await _admin.GetForDownloadAsync(late))!;
        await _admin.SetStateAsync(late, LinkState.Revoked);
        var handled = await _watcher.RecheckAsync();
        Assert.Equal(0, handled.LinksRead);
        var registration = _inFlight.Register(linkAtRead, generationAtRead, new DefaultHttpContext());

        var pass = await _watcher.RecheckAsync();

        Assert.Equal(1, pass.LinksRead);
        Assert.True(registration.StoppedByRevocation);
        Assert.Empty(Stopped(running));
    }

    [Fact]
    public async Task A_change_written_to_the_link_but_not_to_the_log_is_caught_by_the_periodic_sweep()
    {
        var registrations = await StartDownloadsAsync(20);
        await _watcher.RecheckAsync();

        // A writer that stopped between the link and the log: revoked in the store, nothing else.
        await _adminConnection.GetDatabase().HashSetAsync(RedisKeys.Link(registrations[7].Code), LinkHash.State, "revoked");
        var quiet = await _watcher.RecheckAsync();
        Assert.False(quiet.Swept);
        Assert.Empty(Stopped(registrations));

        _clock.Shift(RevocationWatcher.SweepInterval);
        var (sweep, commands, roundTrips) = await MeasureAsync(_watcher.RecheckAsync);

        Assert.True(sweep.Swept);
        Assert.Equal([7], Stopped(registrations));
        Assert.Equal(1 + registrations.Length, commands.Count);
        Assert.Equal(2, roundTrips);
    }

    [Fact]
    public async Task Falling_behind_the_log_makes_the_next_pass_a_sweep()
    {
        var registrations = await StartDownloadsAsync(5);
        await _watcher.RecheckAsync();

        // More changes than one read returns, then one that only a sweep finds.
        var log = LogOn(_adminConnection);
        await Task.WhenAll(Enumerable.Range(0, LinkChangeLog.MaxCodesPerRead + 1).Select(i => log.RecordAsync($"other{i}")));
        await _adminConnection.GetDatabase().HashSetAsync(RedisKeys.Link(registrations[3].Code), LinkHash.State, "revoked");

        var behind = await _watcher.RecheckAsync();
        Assert.True(behind.Swept);
        Assert.Equal([3], Stopped(registrations));

        // Past the retention of sequence numbers, even when few codes are left to read.
        await Task.WhenAll(Enumerable.Range(0, (int)LinkChangeLog.Retention + 1).Select(_ => log.RecordAsync("same")));
        await _adminConnection.GetDatabase().HashSetAsync(RedisKeys.Link(registrations[1].Code), LinkHash.State, "revoked");
        var trimmed = await _watcher.RecheckAsync();
        Assert.True(trimmed.Swept);
        Assert.Equal([1, 3], Stopped(registrations));

        var caughtUp = await _watcher.RecheckAsync();
        Assert.False(caughtUp.Swept);
    }

    [Fact]
    public async Task A_log_lost_with_the_store_makes_the_next_pass_a_sweep_even_when_its_numbers_catch_up()
    {
        var registrations = await StartDownloadsAsync(5);
        var log = LogOn(_adminConnection);
        await log.RecordAsync("before");
        await log.RecordAsync("before");
        await _watcher.RecheckAsync();

        // The log's keys are gone (a store restarted without persistence) and a new log has as many entries since.
        await _adminConnection.GetDatabase().KeyDeleteAsync(["gw:{changes}:seq", "gw:{changes}:log"]);
        await _adminConnection.GetDatabase().HashSetAsync(RedisKeys.Link(registrations[4].Code), LinkHash.State, "revoked");
        await log.RecordAsync("after");
        await log.RecordAsync("after");
        await log.RecordAsync("after");

        var pass = await _watcher.RecheckAsync();

        Assert.True(pass.Swept);
        Assert.Equal([4], Stopped(registrations));
    }

    [Fact]
    public async Task A_pass_that_fails_while_the_store_is_away_stops_expired_downloads_and_is_followed_by_a_sweep()
    {
        await using var proxy = TcpFaultProxy.Start(_store.ConnectionString);
        await using var proxied = await ConnectionMultiplexer.ConnectAsync(RedisConnectionOptions.Create(proxy.ConnectionString));
        var watcher = new RevocationWatcher(proxied, StoreOn(proxied), LogOn(proxied), _inFlight, _clock, NullLogger<RevocationWatcher>.Instance);
        var registrations = await StartDownloadsAsync(3, expiresAt: _clock.GetUtcNow().AddMinutes(1));
        await watcher.RecheckAsync();

        proxy.Refuse();
        await Assert.ThrowsAnyAsync<RedisException>(watcher.RecheckAsync);
        Assert.Empty(Stopped(registrations));

        // The store is still away when the expiry the downloads read has passed: it decides alone.
        _clock.Shift(TimeSpan.FromMinutes(1));
        await Assert.ThrowsAnyAsync<RedisException>(watcher.RecheckAsync);
        Assert.Equal([0, 1, 2], Stopped(registrations));

        // Back: the first pass re-reads everything, whatever the log says.
        proxy.Pass();
        var others = await StartDownloadsAsync(4, prefix: "again");
        await _adminConnection.GetDatabase().HashSetAsync(RedisKeys.Link(others[2].Code), LinkHash.State, "revoked");
        var pass = await RetryWhileReconnectingAsync(watcher.RecheckAsync);
        Assert.True(pass.Swept);
        Assert.Equal([2], Stopped(others));
    }

    /// <summary>Creates the links and registers one download of each, as the download handler would.</summary>
    private async Task<InFlightDownloads.Registration[]> StartDownloadsAsync(int count, DateTimeOffset? expiresAt = null, string prefix = "link")
    {
        var codes = Enumerable.Range(0, count).Select(i => $"{prefix}{i:D5}").ToArray();
        await CreateLinksAsync(codes, expiresAt);
        var registrations = new InFlightDownloads.Registration[count];
        for (var start = 0; start < count; start += 1_000)
        {
            var generation = _inFlight.Generation;
            var links = await _admin.GetForDownloadAsync(codes[start..Math.Min(count, start + 1_000)]);
            for (var i = 0; i < links.Length; i++)
            {
                registrations[start + i] = _inFlight.Register(links[i]!, generation, new DefaultHttpContext());
            }
        }

        return registrations;
    }

    private async Task CreateLinksAsync(IReadOnlyList<string> codes, DateTimeOffset? expiresAt = null)
    {
        for (var start = 0; start < codes.Count; start += 1_000)
        {
            var created = await Task.WhenAll(codes.Skip(start).Take(1_000).Select(code => _admin.TryCreateAsync(new Link
            {
                Code = code,
                Bucket = "media",
                Key = $"files/{code}.bin",
                ExpiresAt = expiresAt,
                CreatedAt = _clock.GetUtcNow(),
            })));
            Assert.All(created, Assert.True);
        }
    }

    private static int[] Stopped(InFlightDownloads.Registration[] registrations) =>
        [.. Enumerable.Range(0, registrations.Length).Where(i => registrations[i].StoppedByRevocation)];

    /// <summary>
    /// Runs one pass and returns the commands it sent to the store (connection keep-alives left out)
    /// and its round trips: groups of commands issued before an answer to the group had come back.
    /// A command issued after an answer could have waited for it, so it opens a new round trip.
    /// </summary>
    private async Task<(RecheckResult Result, List<string> Commands, int RoundTrips)> MeasureAsync(Func<Task<RecheckResult>> pass)
    {
        _profile = new ProfilingSession();
        var result = await pass();
        var recorded = _profile.FinishProfiling()
            .Where(static c => c.Command is not ("PING" or "ECHO"))
            .Select(static c => (c.Command, Issued: c.CommandCreated, Answered: c.CommandCreated + c.CreationToEnqueued + c.EnqueuedToSending + c.SentToResponse))
            .OrderBy(static c => c.Issued)
            .ToList();
        _profile = null;

        var roundTrips = 0;
        var firstAnswer = DateTime.MinValue;
        foreach (var command in recorded)
        {
            if (roundTrips == 0 || command.Issued >= firstAnswer)
            {
                roundTrips++;
                firstAnswer = command.Answered;
            }
            else if (command.Answered < firstAnswer)
            {
                firstAnswer = command.Answered;
            }
        }

        return (result, [.. recorded.Select(static c => c.Command)], roundTrips);
    }

    private static async Task<RecheckResult> RetryWhileReconnectingAsync(Func<Task<RecheckResult>> pass)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await pass();
            }
            catch (RedisException) when (attempt < 50)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }
    }

    /// <summary>A store reading over <paramref name="connection"/>; its writes go over their own connection to the same server, as in the gateway.</summary>
    private RedisLinkStore StoreOn(IConnectionMultiplexer connection)
    {
        var writes = new ReplicatedWrites(ConfigurationOptions.Parse(connection.Configuration), Options.Create(new GatewayOptions()), TimeProvider.System);
        _writes.Add(writes);
        return new(connection, writes, LogOn(connection), Options.Create(new GatewayOptions()), Options.Create(new MeteringOptions()), TimeProvider.System);
    }

    private static LinkChangeLog LogOn(IConnectionMultiplexer connection) => new(connection, NullLogger<LinkChangeLog>.Instance);

    /// <summary>The system clock moved forward by the test, so expiries and the sweep interval pass without waiting.</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        private TimeSpan _offset;

        public void Shift(TimeSpan by) => _offset += by;

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + _offset;
    }
}
