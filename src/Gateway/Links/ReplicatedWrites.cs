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
///
/// Under Sentinel, "no replica" has two meanings, and only one of them is safe. Either the replica is
/// gone (dead, or not yet back after a crash failover) and the primary is alone: what it takes is kept,
/// as on a standalone Redis. Or Sentinel is failing the primary over: it promotes the replica first
/// (<c>REPLICAOF NO ONE</c>, which disconnects it) and turns the old primary into a replica of the new
/// one only later (about 10 s later for a requested failover), which drops everything the old primary
/// took in between; and until then, with two primaries, gateways may read from either. So a
/// Sentinel-managed primary without replicas is asked again, and so is every other node this
/// connection reaches (<see cref="ConfirmUnreplicatedPrimaryAsync"/>): one or two more round trips
/// per write, and only while a primary has no replica.
/// </remarks>
internal sealed class ReplicatedWrites : IDisposable
{
    private static readonly TimeSpan RoleCacheLifetime = TimeSpan.FromSeconds(1);

    private readonly ConnectionMultiplexer _connection;
    private readonly TimeProvider _time;
    private readonly long _timeoutMilliseconds;
    private readonly bool _sentinelManaged;
    private readonly ConcurrentDictionary<EndPoint, (int Replicas, long ReadAt)> _replicas = new();

    public ReplicatedWrites(ConfigurationOptions options, IOptions<GatewayOptions> gateway, TimeProvider time)
    {
        options = options.Clone();
        options.ClientName += "-writes";
        _connection = ConnectionMultiplexer.Connect(options);
        _sentinelManaged = !string.IsNullOrEmpty(options.ServiceName);
        _time = time;
        Epoch = new StoreEpoch(_sentinelManaged, time);
        _timeoutMilliseconds = (long)gateway.Value.Links.ReplicaAckTimeout.TotalMilliseconds;
    }

    /// <summary>The epoch link reads are checked against (under Sentinel), raised by confirmations made without a node.</summary>
    public StoreEpoch Epoch { get; }

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
            if (replicas == 0 && _sentinelManaged)
            {
                replicas = await ConfirmUnreplicatedPrimaryAsync(node).ConfigureAwait(false);
            }

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

    /// <summary>
    /// A Sentinel-managed node that listed no replica has taken writes: returns how many replicas it has
    /// now (0: it is alone, and keeps them), or throws while they can still be dropped or go unseen.
    /// That is when the node is no longer a primary, and when any other node of the set is up: a
    /// replica not connected to it could be promoted without the writes; a second primary is either the
    /// replica Sentinel has just promoted (this node will be made its replica and drop them) or the old
    /// primary not yet demoted (gateways still reading from it would not see them). Either way it lasts
    /// until Sentinel has made the other node a replica of the primary and it has caught up. A node this
    /// connection cannot reach, or that does not answer within the replica timeout, is taken as dead; as
    /// it may come back a primary without the writes, the store's epoch is raised (<see cref="StoreEpoch"/>).
    /// </summary>
    private async Task<int> ConfirmUnreplicatedPrimaryAsync(IServer node)
    {
        if (await node.RoleAsync().ConfigureAwait(false) is not Role.Master own)
        {
            throw new ReplicaNotConfirmedException($"{node.EndPoint} took the write but is a replica now: a failover is under way and may undo it.");
        }

        if (own.Replicas.Count > 0)
        {
            _replicas[node.EndPoint] = (own.Replicas.Count, _time.GetTimestamp());
            return own.Replicas.Count;
        }

        var withoutANode = false;
        foreach (var other in _connection.GetServers())
        {
            if (other.EndPoint.Equals(node.EndPoint))
            {
                continue;
            }

            if (!other.IsConnected)
            {
                withoutANode = true;
                continue;
            }

            Role role;
            var asked = other.RoleAsync();
            try
            {
                // A node that hangs (frozen, or cut off) is as unreachable as a dead one; waiting out the
                // store's own timeout (2 s) would hold every write that long.
                role = await asked.WaitAsync(TimeSpan.FromMilliseconds(_timeoutMilliseconds)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisConnectionException or TimeoutException)
            {
                _ = asked.ContinueWith(static task => task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                withoutANode = true;
                continue;
            }

            throw new ReplicaNotConfirmedException($"{other.EndPoint} is up as a {role.Value} but not replicating from {node.EndPoint}, which took the write: a failover is under way or the replica is catching up.");
        }

        if (withoutANode)
        {
            // The missing node may come back a primary without the write: fence reads off it (StoreEpoch).
            Epoch.Raised((long)await node.ExecuteAsync("INCR", RedisKeys.StoreEpoch).ConfigureAwait(false));
        }

        return 0;
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
