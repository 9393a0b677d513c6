using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Gateway.FunctionalTests.Infrastructure;

/// <summary>
/// A TCP relay on 127.0.0.1:0 in front of a server (the store, or LocalOss), so a test can disturb the
/// network between the gateway and it without touching the server itself (works the same for
/// redis-server and Garnet): <see cref="Refuse"/> is an outage (connections cut, new ones closed at
/// once); <see cref="SwallowReplies"/> lets requests reach the server but loses its answers, so the
/// client cannot tell whether a write was applied; <see cref="Delay"/> holds every answer for a while
/// (latency, not bandwidth: answers still flow back to back); <see cref="Stall"/> stops all bytes in
/// both directions while connections stay open, as a hung server or a black-holed route does;
/// <see cref="Pass"/> restores service.
/// </summary>
internal sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<Relay, byte> _relays = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private readonly Lock _gate = new();
    private volatile Mode _mode = Mode.Pass;
    private TaskCompletionSource _flowing = NewOpenGate();
    private long _replyDelayTicks;

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

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>host:port for a StackExchange.Redis configuration string.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>The relay as an HTTP base address, for an HTTP server behind it.</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <param name="target">host:port of the server, as in <see cref="Infrastructure.StoreServer.ConnectionString"/>.</param>
    public static TcpFaultProxy Start(string target)
    {
        var separator = target.LastIndexOf(':');
        return new TcpFaultProxy(new IPEndPoint(IPAddress.Parse(target[..separator]), int.Parse(target[(separator + 1)..], System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>A relay in front of an HTTP server on the loopback (LocalOss).</summary>
    public static TcpFaultProxy Start(Uri server) => Start($"127.0.0.1:{server.Port}");

    public void Refuse()
    {
        Release();
        _mode = Mode.Refuse;
        CutAll();
    }

    /// <summary>Existing connections stay up and keep delivering requests; nothing comes back.</summary>
    public void SwallowReplies()
    {
        Release();
        _mode = Mode.SwallowReplies;
    }

    /// <summary>Every answer (server to client) is held <paramref name="delay"/> before it is passed on; requests go through at once.</summary>
    public void Delay(TimeSpan delay) => Interlocked.Exchange(ref _replyDelayTicks, delay.Ticks);

    /// <summary>
    /// No byte moves in either direction until <see cref="Pass"/>, on existing and new connections
    /// alike (new ones are accepted, then hang). Nothing is lost: what was sent meanwhile arrives afterwards.
    /// </summary>
    public void Stall()
    {
        lock (_gate)
        {
            if (_flowing.Task.IsCompleted)
            {
                _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>
    /// Normal service again: no delay, bytes held by a stall flow on. Connections from a time of swallowed
    /// replies are cut, their streams being out of step.
    /// </summary>
    public void Pass()
    {
        var wasSwallowing = _mode == Mode.SwallowReplies;
        Interlocked.Exchange(ref _replyDelayTicks, 0);
        _mode = Mode.Pass;
        Release();
        if (wasSwallowing)
        {
            CutAll();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        Release();
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

    private static TaskCompletionSource NewOpenGate()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private void Release()
    {
        lock (_gate)
        {
            _flowing.TrySetResult();
        }
    }

    private Task WhileStalled()
    {
        lock (_gate)
        {
            return _flowing.Task;
        }
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
        private readonly Channel<(long Due, byte[] Bytes)> _delayedReplies = Channel.CreateUnbounded<(long, byte[])>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        private int _cut;

        public void Start()
        {
            _ = PumpAsync(client.GetStream(), server.GetStream(), towardsClient: false);
            _ = PumpAsync(server.GetStream(), client.GetStream(), towardsClient: true);
            _ = DeliverDelayedAsync(client.GetStream());
        }

        public void Cut()
        {
            if (Interlocked.Exchange(ref _cut, 1) == 1)
            {
                return;
            }

            proxy._relays.TryRemove(this, out _);
            _delayedReplies.Writer.TryComplete();
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
                    if (read == 0 && towardsClient)
                    {
                        // The server closed: answers still queued go out first, then the connection is cut.
                        _delayedReplies.Writer.TryComplete();
                        return;
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    if (towardsClient && proxy._mode == Mode.SwallowReplies)
                    {
                        continue;
                    }

                    await proxy.WhileStalled();
                    if (towardsClient)
                    {
                        // Every answer goes through the queue, delayed or not, so switching the delay never reorders bytes.
                        // Stamped on arrival and sent when due, in order: latency added, throughput kept.
                        var delay = Interlocked.Read(ref proxy._replyDelayTicks);
                        await _delayedReplies.Writer.WriteAsync((Stopwatch.GetTimestamp() + (delay * Stopwatch.Frequency / TimeSpan.TicksPerSecond), buffer[..read]));
                        continue;
                    }

                    await to.WriteAsync(buffer.AsMemory(0, read));
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or ChannelClosedException)
            {
                // The other side or the test cut the connection.
            }

            Cut();
        }

        /// <summary>Passes answers on, each once its delay is over.</summary>
        private async Task DeliverDelayedAsync(NetworkStream to)
        {
            try
            {
                await foreach (var (due, bytes) in _delayedReplies.Reader.ReadAllAsync())
                {
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait);
                    }

                    await proxy.WhileStalled();
                    await to.WriteAsync(bytes);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                // Cut below.
            }

            Cut();
        }
    }
}
