using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Gateway.FunctionalTests.Infrastructure;

/// <summary>
/// A TCP relay on 127.0.0.1:0 in front of the store, so a test can take the store away from the
/// gateway without losing its data (works the same for redis-server and Garnet):
/// <see cref="Refuse"/> is an outage (connections cut, new ones closed at once);
/// <see cref="SwallowReplies"/> lets commands reach the store but loses its answers, so the client
/// cannot tell whether a write was applied; <see cref="Pass"/> restores service on fresh connections.
/// </summary>
internal sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<Relay, byte> _relays = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private volatile Mode _mode = Mode.Pass;

    private TcpFaultProxy(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    private enum Mode
    {
        Pass,
        Refuse,
        SwallowReplies,
    }

    /// <summary>host:port for a StackExchange.Redis configuration string.</summary>
    public string ConnectionString => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <param name="target">host:port of the store, as in <see cref="Infrastructure.StoreServer.ConnectionString"/>.</param>
    public static TcpFaultProxy Start(string target)
    {
        var separator = target.LastIndexOf(':');
        return new TcpFaultProxy(new IPEndPoint(IPAddress.Parse(target[..separator]), int.Parse(target[(separator + 1)..], System.Globalization.CultureInfo.InvariantCulture)));
    }

    public void Refuse()
    {
        _mode = Mode.Refuse;
        CutAll();
    }

    /// <summary>Existing connections stay up and keep delivering commands; nothing comes back.</summary>
    public void SwallowReplies() => _mode = Mode.SwallowReplies;

    /// <summary>Normal service again. Connections from before are cut: after swallowed replies their streams are out of step.</summary>
    public void Pass()
    {
        _mode = Mode.Pass;
        CutAll();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        CutAll();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stopping.Dispose();
    }

    private void CutAll()
    {
        foreach (var relay in _relays.Keys)
        {
            relay.Cut();
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            if (_mode == Mode.Refuse)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }

            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(_target, _stopping.Token);
            }
            catch (SocketException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }

            var relay = new Relay(this, client, server);
            _relays.TryAdd(relay, 0);
            relay.Start();
        }
    }

    private sealed class Relay(TcpFaultProxy proxy, TcpClient client, TcpClient server)
    {
        private int _cut;

        public void Start()
        {
            _ = PumpAsync(client.GetStream(), server.GetStream(), towardsClient: false);
            _ = PumpAsync(server.GetStream(), client.GetStream(), towardsClient: true);
        }

        public void Cut()
        {
            if (Interlocked.Exchange(ref _cut, 1) == 1)
            {
                return;
            }

            proxy._relays.TryRemove(this, out _);
            // A reset rather than a graceful close: the client learns at once that the connection is gone.
            client.Client.LingerState = new LingerOption(true, 0);
            client.Dispose();
            server.Dispose();
        }

        private async Task PumpAsync(NetworkStream from, NetworkStream to, bool towardsClient)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var read = await from.ReadAsync(buffer);
                    if (read == 0)
                    {
                        break;
                    }

                    if (towardsClient && proxy._mode == Mode.SwallowReplies)
                    {
                        continue;
                    }

                    await to.WriteAsync(buffer.AsMemory(0, read));
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                // The other side or the test cut the connection.
            }

            Cut();
        }
    }
}
