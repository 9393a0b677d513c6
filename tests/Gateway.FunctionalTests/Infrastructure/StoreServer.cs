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

        StoreServer server = useRedis ? new RedisServerProcess() : new GarnetStore();
        await WaitUntilAnsweringAsync(server.ConnectionString).ConfigureAwait(false);
        return server;
    }

    /// <summary>
    /// A store someone else runs (a Redis Cluster or Sentinel set of a topology test): the gateway is
    /// given its connection string, and disposing the environment leaves it running.
    /// </summary>
    public static StoreServer External(string connectionString, string kind) => new ExternalStore(connectionString, kind);

    public abstract ValueTask DisposeAsync();

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitUntilAnsweringAsync(string connectionString)
    {
        var port = int.Parse(connectionString.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
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
