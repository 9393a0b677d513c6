using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Gateway.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Links;

/// <summary>
/// The writes a promise rests on: a revocation or delete, a counted download of a limited link, any
/// other admin change, the audit entry, a metering batch. Redis replicates asynchronously, so a write
/// the primary acknowledged dies with it if the replica had not received it yet, and the replica that
/// takes over under Sentinel or Cluster would serve a revoked link again or count a limited one from
/// an older number. So these writes go over a connection of their own and are followed by
/// <c>WAIT</c> on each node that took them, for every replica that node has; if they do not all
/// confirm within <see cref="LinkOptions.ReplicaAckTimeout"/>, the caller gets a
/// <see cref="ReplicaNotConfirmedException"/> (a <see cref="RedisException"/>, so every path that
/// already fails closed on a store error answers 503, and nothing is promised).
/// </summary>
/// <remarks>
/// Every replica, not one: whichever replica Sentinel promotes holds the write, and so does any replica
/// StackExchange.Redis reads from while the primary is away (reads prefer the primary, not demand it).
/// The price: while a replica is dead but still listed by its primary (until <c>repl-timeout</c>, 60 s
/// by default), these writes fail closed. A connection of its own because WAIT holds the connection it
/// is sent on until the replicas answer (and WAIT only covers the writes of its own connection): on the
/// shared multiplexer every link lookup would queue behind it. A node without replicas (standalone
/// Redis, the embedded Garnet, a Cluster master without replicas) costs nothing extra: its replica
/// count comes from ROLE, cached for a second.
/// </remarks>
internal sealed class ReplicatedWrites : IDisposable
{
    private static readonly TimeSpan RoleCacheLifetime = TimeSpan.FromSeconds(1);

    private readonly ConnectionMultiplexer _connection;
    private readonly TimeProvider _time;
    private readonly long _timeoutMilliseconds;
    private readonly ConcurrentDictionary<EndPoint, (int Replicas, long ReadAt)> _replicas = new();

    public ReplicatedWrites(ConfigurationOptions options, IOptions<GatewayOptions> gateway, TimeProvider time)
    {
        options = options.Clone();
        options.ClientName += "-writes";
        _connection = ConnectionMultiplexer.Connect(options);
        _time = time;
        _timeoutMilliseconds = (long)gateway.Value.Links.ReplicaAckTimeout.TotalMilliseconds;
    }

    /// <summary>Writes on this database are the ones <see cref="ConfirmAsync"/> can vouch for.</summary>
    public IDatabase Database => _connection.GetDatabase();

    /// <summary>
    /// The node that will take writes to <paramref name="key"/>, named before the writes: if the primary
    /// changes in between, the WAIT goes to the old one and fails, rather than passing on a new primary
    /// that never saw the writes.
    /// </summary>
    public IServer[] NodesOf(RedisKey key) => [_connection.GetServer(key, flags: CommandFlags.DemandMaster)];

    /// <summary>The nodes of two keys written together (a link and the link index: two nodes on a Cluster), named before the writes.</summary>
    public IServer[] NodesOf(RedisKey first, RedisKey second)
    {
        var a = _connection.GetServer(first, flags: CommandFlags.DemandMaster);
        var b = _connection.GetServer(second, flags: CommandFlags.DemandMaster);
        return a.EndPoint.Equals(b.EndPoint) ? [a] : [a, b];
    }

    /// <summary>Every primary, for writes spread over the whole keyspace (a metering batch).</summary>
    public IServer[] Primaries()
    {
        var primaries = new List<IServer>();
        foreach (var server in _connection.GetServers())
        {
            if (server.IsConnected && !server.IsReplica)
            {
                primaries.Add(server);
            }
        }

        return [.. primaries];
    }

    /// <summary>Waits until every replica of each node holds this connection's writes to it; throws when one does not within the timeout.</summary>
    /// <exception cref="ReplicaNotConfirmedException">A node has replicas and not all of them confirmed in time.</exception>
    public async Task ConfirmAsync(IServer[] nodes)
    {
        if (_timeoutMilliseconds == 0)
        {
            return;
        }

        foreach (var node in nodes)
        {
            var replicas = await ReplicasOfAsync(node).ConfigureAwait(false);
            if (replicas == 0)
            {
                continue;
            }

            var acknowledged = (long)await node.ExecuteAsync("WAIT", replicas, _timeoutMilliseconds).ConfigureAwait(false);
            if (acknowledged < replicas)
            {
                // A replica may be gone for good: read the replica count afresh before the next write.
                _replicas.TryRemove(node.EndPoint, out _);
                throw new ReplicaNotConfirmedException(string.Create(CultureInfo.InvariantCulture,
                    $"{acknowledged} of the {replicas} replicas of {node.EndPoint} confirmed the write within {_timeoutMilliseconds} ms (Gateway:Links:ReplicaAckTimeout); a failover now could undo it."));
            }
        }
    }

    /// <summary>False while this connection has no server to write to.</summary>
    public bool IsConnected => _connection.IsConnected;

    public void Dispose() => _connection.Dispose();

    private async Task<int> ReplicasOfAsync(IServer node)
    {
        var now = _time.GetTimestamp();
        if (_replicas.TryGetValue(node.EndPoint, out var known) && _time.GetElapsedTime(known.ReadAt, now) < RoleCacheLifetime)
        {
            return known.Replicas;
        }

        int replicas;
        try
        {
            replicas = await node.RoleAsync().ConfigureAwait(false) is Role.Master primary ? primary.Replicas.Count : 0;
        }
        catch (RedisServerException)
        {
            // A server without ROLE (the embedded Garnet may answer so) replicates nothing we could wait for.
            replicas = 0;
        }

        _replicas[node.EndPoint] = (replicas, now);
        return replicas;
    }
}

/// <summary>A write reached the primary but no replica confirmed it in time: a failover could still undo it, so it is not promised.</summary>
internal sealed class ReplicaNotConfirmedException(string message) : RedisException(message);
