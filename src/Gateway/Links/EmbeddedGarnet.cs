using System.Net;
using System.Net.Sockets;
using Garnet;

namespace Gateway.Links;

/// <summary>
/// The embedded default store: Garnet (Microsoft's Redis-compatible server) in-process on a
/// loopback port, persisted under the data directory. The gateway talks RESP to it through the
/// same StackExchange.Redis code path as to a real Redis, so there is one code path everywhere.
/// </summary>
internal sealed partial class EmbeddedGarnet : IDisposable
{
    private readonly GarnetServer _server;
    private readonly ILoggerFactory _garnetLogging;

    public EmbeddedGarnet(string dataDirectory, ILoggerFactory loggerFactory)
    {
        var storeDirectory = Path.GetFullPath(Path.Combine(dataDirectory, "store"));
        Directory.CreateDirectory(storeDirectory);
        Port = FindFreeLoopbackPort();
        string[] arguments =
        [
            "--bind", "127.0.0.1",
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Scripts do create-if-absent and check-and-count atomically; Garnet needs Lua switched on,
            // and its transaction mode, without which it interleaves concurrent scripts (two claimers of
            // webhook jobs both got some of the same jobs; Redis runs every script alone).
            "--lua",
            "--lua-transaction-mode",
            // The default native device needs libaio.so.1, which a plain machine lacks (PITFALLS 19).
            "--device-type", "RandomAccess",
            // Persistence: records spill to disk under the data directory, and an append-only file
            // replayed at start makes links survive a restart.
            "--storage-tier",
            "--logdir", storeDirectory,
            "--checkpointdir", storeDirectory,
            "--aof",
            "--recover",
            // Memory for the hot part of the store; the rest lives on disk (storage tier). Garnet's
            // default reserves gigabytes, too much for a sidecar-sized single node.
            "--memory", "256m",
            "--index", "32m",
        ];

        // Garnet is chatty at Information (a banner and its whole configuration); only its warnings matter here.
        _garnetLogging = LoggerFactory.Create(logging => logging.AddConsole().SetMinimumLevel(LogLevel.Warning));
        _server = new GarnetServer(arguments, _garnetLogging, cleanupDir: false);
        _server.Start();
        Log.Started(loggerFactory.CreateLogger<EmbeddedGarnet>(), Port, storeDirectory);
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public void Dispose()
    {
        _server.Dispose(deleteDir: false);
        _garnetLogging.Dispose();
    }

    private static int FindFreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Embedded Garnet store listening on 127.0.0.1:{Port}, data in {Directory}")]
        public static partial void Started(ILogger logger, int port, string directory);
    }
}
