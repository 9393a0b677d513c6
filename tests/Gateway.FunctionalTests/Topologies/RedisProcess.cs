using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Topologies;

/// <summary>
/// One redis-server (or redis-sentinel) process of a topology test, on a free loopback port. Its
/// output is kept, so a failing start says why. The topology tests never skip: a missing binary
/// fails them (CI installs the packages; see .ci/run).
/// </summary>
internal sealed class RedisProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string? _directory;

    private RedisProcess(string program, int port, IEnumerable<string> arguments, string? directory = null)
    {
        Port = port;
        _directory = directory;
        var start = new ProcessStartInfo(Require(program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        _process.OutputDataReceived += (_, line) => Append(line.Data);
        _process.ErrorDataReceived += (_, line) => Append(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Port { get; }

    public string EndPoint => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// A redis-server without persistence; <paramref name="extra"/> adds its role (cluster, replica). It
    /// works in a directory of its own: a replica writes the snapshot of its first sync to dump.rdb there,
    /// and a server started later in the same directory would load it.
    /// </summary>
    public static Task<RedisProcess> StartServerAsync(params string[] extra) =>
        StartOnFreePortAsync(port =>
        {
            var directory = Directory.CreateTempSubdirectory("gateway-redis-").FullName;
            return new RedisProcess(
                "redis-server",
                port,
                ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory, "--save", "", "--appendonly", "no", "--protected-mode", "no", .. extra],
                directory);
        });

    /// <summary>redis-sentinel over a configuration file it may rewrite (sentinels record what they learn there).</summary>
    public static Task<RedisProcess> StartSentinelAsync(string directory, Func<int, string> configuration) =>
        StartOnFreePortAsync(port =>
        {
            var file = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"sentinel-{port}.conf"));
            File.WriteAllText(file, configuration(port));
            return new RedisProcess("redis-sentinel", port, [file]);
        });

    /// <summary>Runs redis-cli to the end; its standard output, or an exception with everything it printed.</summary>
    public static async Task<string> CliAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Require("redis-cli"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output.ConfigureAwait(false)}{await error.ConfigureAwait(false)}");
        }

        return await output.ConfigureAwait(false);
    }

    /// <summary>A redis-cli command to this process.</summary>
    public Task<string> CommandAsync(params string[] command) =>
        CliAsync(["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), .. command]);

    /// <summary>Polls until <paramref name="ready"/> holds, or fails with what the process printed.</summary>
    public static async Task WaitUntilAsync(string what, TimeSpan timeout, Func<Task<bool>> ready)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < timeout)
        {
            try
            {
                if (await ready().ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (InvalidOperationException ex)
            {
                last = ex;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        throw new TimeoutException($"Waited {timeout} for {what}.", last);
    }

    /// <summary>Freezes the process (SIGSTOP): its sockets stay open, but it answers nothing, as a hung or partitioned replica.</summary>
    public Task FreezeAsync() => SignalAsync("STOP");

    /// <summary>Lets a frozen process go on (SIGCONT).</summary>
    public Task ThawAsync() => SignalAsync("CONT");

    /// <summary>Kills the process at once (SIGKILL), as a crashed machine would stop.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process.Dispose();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync().ConfigureAwait(false);
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed with exit code {kill.ExitCode}.");
        }
    }

    /// <summary>
    /// Starts a process on a free port and waits until it answers as itself. Other test runs share the
    /// machine: a port found free may be taken before the process binds it, and then whatever took it
    /// would answer. So the process must answer with its own process id, or it is started again elsewhere.
    /// </summary>
    private static async Task<RedisProcess> StartOnFreePortAsync(Func<int, RedisProcess> start)
    {
        for (var attempt = 1; ; attempt++)
        {
            var process = start(StoreServer.FreePort());
            var clock = Stopwatch.StartNew();
            var expected = "process_id:" + process._process.Id.ToString(CultureInfo.InvariantCulture);
            while (!process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                try
                {
                    if ((await process.CommandAsync("info", "server").ConfigureAwait(false)).Contains(expected, StringComparison.Ordinal))
                    {
                        return process;
                    }
                }
                catch (InvalidOperationException)
                {
                    // Not listening yet.
                }

                await Task.Delay(20).ConfigureAwait(false);
            }

            var output = process.Output;
            await process.DisposeAsync().ConfigureAwait(false);
            if (attempt == 3)
            {
                throw new InvalidOperationException($"A Redis process did not start on a free port three times; the last said: {output}");
            }
        }
    }

    /// <summary>The full path of a Debian redis binary; fails loudly (never skips) when it is missing.</summary>
    private static string Require(string program)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(directory, program);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException(
            $"{program} is not on PATH. The Redis topology tests need Debian's redis-server, redis-sentinel and redis-tools packages (apt-get install -y redis-server redis-sentinel); .ci/run installs them.");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
