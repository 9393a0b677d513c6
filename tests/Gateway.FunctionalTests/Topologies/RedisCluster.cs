using System.Globalization;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Topologies;

/// <summary>
/// A Redis Cluster of three masters without replicas (every slot owned once), on free loopback
/// ports, torn down with the test class that shares it (a class fixture: it takes about a second to
/// form, and the tests' keys never collide: link codes are random).
/// </summary>
public sealed class RedisCluster : IAsyncLifetime
{
    private readonly List<RedisProcess> _nodes = [];
    private string _directory = "";

    /// <summary>The StackExchange.Redis configuration an operator would write: every node listed.</summary>
    public string ConnectionString => string.Join(',', _nodes.Select(node => node.EndPoint));

    public async ValueTask InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("gateway-cluster-").FullName;
        for (var i = 0; i < 3; i++)
        {
            // The bus port is chosen explicitly: the default (port + 10000) may lie beyond 65535 for an ephemeral port.
            var busPort = StoreServer.FreePort().ToString(CultureInfo.InvariantCulture);
            _nodes.Add(await RedisProcess.StartServerAsync(
                "--cluster-enabled", "yes",
                "--cluster-port", busPort,
                "--cluster-config-file", Path.Combine(_directory, $"nodes-{i}.conf"),
                "--cluster-node-timeout", "2000"));
        }

        try
        {
            await RedisProcess.CliAsync(["--cluster", "create", .. _nodes.Select(node => node.EndPoint), "--cluster-replicas", "0", "--cluster-yes"]);
        }
        catch (InvalidOperationException ex)
        {
            // "Node is not empty" and the like: what each node knew and held says why.
            var state = new System.Text.StringBuilder(ex.Message).AppendLine();
            foreach (var node in _nodes)
            {
                state.Append(node.EndPoint).Append(": keys ").Append(await node.CommandAsync("dbsize")).Append(await node.CommandAsync("cluster", "nodes")).AppendLine(node.Output);
            }

            throw new InvalidOperationException(state.ToString(), ex);
        }
        foreach (var node in _nodes)
        {
            await RedisProcess.WaitUntilAsync($"cluster_state:ok on {node.EndPoint}", TimeSpan.FromSeconds(20), async () =>
                (await node.CommandAsync("cluster", "info")).Contains("cluster_state:ok", StringComparison.Ordinal));
        }
    }

    /// <summary>How many keys each node holds, in node order.</summary>
    public async Task<long[]> KeysPerNodeAsync()
    {
        var counts = new long[_nodes.Count];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = long.Parse((await _nodes[i].CommandAsync("dbsize")).Trim(), CultureInfo.InvariantCulture);
        }

        return counts;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A node still closing its config file; the OS temp cleaner gets it.
        }
    }
}
