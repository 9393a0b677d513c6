using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Garnet;

namespace Gateway.FunctionalTests.Infrastructure;

/// <summary>
/// A Redis-protocol server owned by one test, so a test can also stop it. Which kind runs is
/// chosen by GATEWAY_TEST_STORE: <c>redis</c> (a real redis-server process; CI), <c>garnet</c>
/// (Garnet in the test process), or unset: redis-server when it is installed, Garnet otherwise.
/// </summary>
public abstract class StoreServer : IAsyncDisposable
{
    public abstract string ConnectionString { get; }

    public abstract string Kind { get; }

    public static async Task<StoreServer> StartAsync()
    {
        var requested = Environment.GetEnvironmentVariable("GATEWAY_TEST_STORE");
        var useRedis = requested switch
        {
            "redis" => true,
            "garnet" => false,
            null or "" => RedisServerProcess.IsInstalled,
            _ => throw new InvalidOperationException($"GATEWAY_TEST_STORE must be 'redis' or 'garnet', not '{requested}'."),
        };
        if (useRedis && !RedisServerProcess.IsInstalled)
        {
            throw new InvalidOperationException("GATEWAY_TEST_STORE=redis but redis-server is not on PATH (apt-get install redis-server).");
        }

        // A port found free can still be lost before the server binds it (to another test's pick); then
        // the server fails to start, and it is started again on another port.
        for (var attempt = 1; ; attempt++)
        {
            StoreServer? server = null;
            try
            {
                server = useRedis ? new RedisServerProcess() : new GarnetStore();
                if (await WaitUntilAnsweringAsync(server).ConfigureAwait(false))
                {
                    return server;
                }
            }
            catch (Exception) when (attempt < 5)
            {
                // Garnet throws from Start when its port was taken.
            }

            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            if (attempt == 5)
            {
                throw new InvalidOperationException($"The test store ({(useRedis ? "redis-server" : "Garnet")}) did not start in 5 attempts.");
            }
        }
    }

    /// <summary>False once the server has stopped on its own (a redis-server whose port was taken exits).</summary>
    protected virtual bool HasExited => false;

    /// <summary>
    /// A store someone else runs (a Redis Cluster or Sentinel set of a topology test): the gateway is
    /// given its connection string, and disposing the environment leaves it running.
    /// </summary>
    public static StoreServer External(string connectionString, string kind) => new ExternalStore(connectionString, kind);

    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// A port nothing listens on, picked below the kernel's ephemeral range: ports bound to 0 (every
    /// Kestrel in the tests) and the local ends of outgoing connections (thousands in a run) come from
    /// that range, so none of them can take this port before the caller binds it. Only another pick of
    /// this method can, at random; callers start again on a new port when their bind fails.
    /// </summary>
    internal static int FreePort()
    {
        var ceiling = EphemeralRangeStart();
        const int Floor = 10_000;
        for (var attempt = 0; attempt < 100 && ceiling - Floor > 1_000; attempt++)
        {
            var port = Random.Shared.Next(Floor, ceiling);
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use: another one.
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32_768; // Linux's default
        }
    }

    private static async Task<bool> WaitUntilAnsweringAsync(StoreServer server)
    {
        var port = int.Parse(server.ConnectionString.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        var deadline = Stopwatch.StartNew();
        while (!server.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
                return !server.HasExited;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }

        return false;
    }

    private sealed class RedisServerProcess : StoreServer
    {
        private readonly Process _process;
        private readonly int _port = FreePort();

        public RedisServerProcess()
        {
            var start = new ProcessStartInfo("redis-server")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { "--port", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no" })
            {
                start.ArgumentList.Add(argument);
            }

            _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
            _process.OutputDataReceived += static (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public static bool IsInstalled => (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, "redis-server")));

        public override string ConnectionString => $"127.0.0.1:{_port}";

        public override string Kind => "redis-server";

        protected override bool HasExited => _process.HasExited;

        private bool _disposed;

        public override async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }

            _process.Dispose();
        }
    }

    private sealed class ExternalStore(string connectionString, string kind) : StoreServer
    {
        public override string ConnectionString => connectionString;

        public override string Kind => kind;

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class GarnetStore : StoreServer
    {
        private readonly GarnetServer _server;
        private readonly int _port = FreePort();

        public GarnetStore()
        {
            _server = new GarnetServer(
                [
                    "--bind", "127.0.0.1", "--port", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--lua", "--device-type", "RandomAccess", "--logger-level", "Error",
                    // Without it Garnet interleaves concurrent scripts: two gateways claiming webhook jobs at once
                    // both got some of the same jobs (47 deliveries of 40 events). Redis runs every script alone.
                    "--lua-transaction-mode",
                    // Garnet's defaults reserve gigabytes per server; a test run starts hundreds of them.
                    "--memory", "64m", "--page", "4m", "--index", "8m",
                ],
                loggerFactory: null,
                // Never true: Garnet's cleanup deletes its checkpoint directory, which defaults to the
                // current directory (it deleted the test's own bin folder once). Nothing is persisted here anyway.
                cleanupDir: false);
            _server.Start();
        }

        public override string ConnectionString => $"127.0.0.1:{_port}";

        public override string Kind => "garnet";

        private int _disposed;

        public override ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _server.Dispose();
            }

            return ValueTask.CompletedTask;
        }
    }
}
