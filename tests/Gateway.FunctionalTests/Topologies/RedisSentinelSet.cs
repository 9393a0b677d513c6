using System.Globalization;

namespace Gateway.FunctionalTests.Topologies;

/// <summary>
/// A primary, one replica and three sentinels monitoring them as <c>mymaster</c> (quorum 2), on free
/// loopback ports. Sentinels declare the primary down after <see cref="DownAfter"/> without an answer,
/// so a crash fails over in a few seconds. One per test: a failover changes who is primary for good.
/// </summary>
internal sealed class RedisSentinelSet : IAsyncDisposable
{
    public const string ServiceName = "mymaster";

    public static readonly TimeSpan DownAfter = TimeSpan.FromMilliseconds(1000);

    private readonly string _directory;
    private readonly List<RedisProcess> _sentinels = [];
    private readonly List<RedisProcess> _servers = [];

    private RedisSentinelSet(string directory) => _directory = directory;

    /// <summary>StackExchange.Redis's sentinel form: the sentinels, and the service they name the primary of.</summary>
    public string ConnectionString => string.Join(',', _sentinels.Select(s => s.EndPoint)) + ",serviceName=" + ServiceName;

    public IReadOnlyList<RedisProcess> Servers => _servers;

    public static async Task<RedisSentinelSet> StartAsync()
    {
        var set = new RedisSentinelSet(Directory.CreateTempSubdirectory("gateway-sentinel-").FullName);
        try
        {
            var primary = await RedisProcess.StartServerAsync();
            set._servers.Add(primary);
            var replica = await RedisProcess.StartServerAsync("--replicaof", "127.0.0.1", primary.Port.ToString(CultureInfo.InvariantCulture));
            set._servers.Add(replica);
            await RedisProcess.WaitUntilAsync("the replica's initial sync", TimeSpan.FromSeconds(20), async () =>
                (await replica.CommandAsync("info", "replication")).Contains("master_link_status:up", StringComparison.Ordinal));

            for (var i = 0; i < 3; i++)
            {
                set._sentinels.Add(await RedisProcess.StartSentinelAsync(set._directory, port => string.Create(CultureInfo.InvariantCulture, $"""
                    port {port}
                    bind 127.0.0.1
                    protected-mode no
                    daemonize no
                    dir {set._directory}
                    sentinel monitor {ServiceName} 127.0.0.1 {primary.Port} 2
                    sentinel down-after-milliseconds {ServiceName} {(int)DownAfter.TotalMilliseconds}
                    sentinel failover-timeout {ServiceName} 3000
                    sentinel parallel-syncs {ServiceName} 1

                    """)));
            }

            // A failover needs a quorum of sentinels that know each other (they meet through the
            // primary, every 2 s) and know the replica; before that a dead primary stays dead.
            foreach (var sentinel in set._sentinels)
            {
                await RedisProcess.WaitUntilAsync($"sentinel {sentinel.EndPoint} to see its peers and the replica", TimeSpan.FromSeconds(30), async () =>
                {
                    var master = await sentinel.CommandAsync("sentinel", "master", ServiceName);
                    return FieldOf(master, "num-other-sentinels") == "2" && FieldOf(master, "num-slaves") == "1";
                });
            }

            return set;
        }
        catch
        {
            await set.DisposeAsync();
            throw;
        }
    }

    /// <summary>The port of the primary as the sentinels name it now.</summary>
    public async Task<int> PrimaryPortAsync()
    {
        var address = (await _sentinels[0].CommandAsync("sentinel", "get-master-addr-by-name", ServiceName)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return int.Parse(address[1], CultureInfo.InvariantCulture);
    }

    public async Task<RedisProcess> PrimaryAsync()
    {
        var port = await PrimaryPortAsync();
        return _servers.Single(s => s.Port == port);
    }

    /// <summary>Asks the sentinels for a failover (SENTINEL FAILOVER): planned, the primary waits for the replica to catch up.</summary>
    public Task RequestFailoverAsync() => _sentinels[0].CommandAsync("sentinel", "failover", ServiceName);

    /// <summary>Waits until the sentinels name a primary other than the one on <paramref name="oldPort"/>, and it accepts writes.</summary>
    public async Task WaitForNewPrimaryAsync(int oldPort, TimeSpan timeout)
    {
        await RedisProcess.WaitUntilAsync("the sentinels to promote the replica", timeout, async () => await PrimaryPortAsync() != oldPort);
        var primary = await PrimaryAsync();
        await RedisProcess.WaitUntilAsync("the new primary to take writes", timeout, async () =>
            (await primary.CommandAsync("info", "replication")).Contains("role:master", StringComparison.Ordinal));
    }

    /// <summary>The sentinels' log lines of a failover (down, vote, election, promotion, switch), for the test's output.</summary>
    public string FailoverLog() => string.Join('\n', _sentinels
        .SelectMany(sentinel => sentinel.Output.Split('\n'))
        .Where(line => line.Contains("down master", StringComparison.Ordinal) || line.Contains("elected-leader", StringComparison.Ordinal)
            || line.Contains("promoted-slave", StringComparison.Ordinal) || line.Contains("switch-master", StringComparison.Ordinal)
            || line.Contains("failover-end", StringComparison.Ordinal) || line.Contains("Next failover delay", StringComparison.Ordinal))
        .Select(line => line.Trim()));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _sentinels.Concat(_servers))
        {
            await process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A sentinel still rewriting its config; the OS temp cleaner gets it.
        }
    }

    /// <summary>A field of redis-cli's line-per-value answer to SENTINEL MASTER (name, value, name, value...).</summary>
    private static string? FieldOf(string answer, string name)
    {
        var lines = answer.Split('\n', StringSplitOptions.TrimEntries);
        var index = Array.IndexOf(lines, name);
        return index >= 0 && index + 1 < lines.Length ? lines[index + 1] : null;
    }
}
