using System.Globalization;
using Microsoft.Diagnostics.Tracing.Etlx;

namespace Gateway.Benchmarks.Profiling;

/// <summary>
/// Splits the CPU samples of a <c>dotnet-trace collect-linux --profile cpu-sampling</c> trace of the
/// gateway into the parts of a download: Kestrel, middleware and routing, the Redis round trip,
/// signing, YARP and the upstream HttpClient, metering, telemetry, the gateway's own handler, JIT and
/// GC. Each sample goes to the innermost frame that belongs to a part, so a socket write issued by
/// HttpClient counts as the upstream request and a GC triggered by an allocation in the handler
/// counts as GC. Used by <c>load/profile.sh</c>, which passes the measured CPU per request so the
/// shares become microseconds.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project tests/Gateway.Benchmarks -- cpu-breakdown TRACE --pid PID
/// [--cpu-us-per-request N] [--top N] [--focus FRAME-FRAGMENT]</c>; <c>--focus</c> lists where the
/// time of one frame goes, by its callees.
/// </remarks>
internal static class CpuBreakdown
{
    public const string Command = "cpu-breakdown";

    private const string Unattributed = "runtime, thread pool, kernel (unattributed)";

    /// <summary>Frame-name fragments and the part they belong to, checked in this order for each frame.</summary>
    private static readonly (string Fragment, string Part)[] Parts =
    [
        ("libclrjit", "JIT compiler"),
        ("gc_heap::", "GC"),
        ("WKS::", "GC"),
        ("SVR::", "GC"),
        ("Gateway.Oss", "signing (Gateway.Oss)"),
        ("StackExchange.Redis", "Redis round trip (StackExchange.Redis)"),
        ("Pipelines.Sockets.Unofficial", "Redis round trip (StackExchange.Redis)"),
        ("Gateway.Metering", "metering (per-link counters)"),
        ("System.Diagnostics.Metrics", "telemetry (metrics, activities)"),
        ("OpenTelemetry", "telemetry (metrics, activities)"),
        ("Gateway.Telemetry", "telemetry (metrics, activities)"),
        ("System.Diagnostics.Activity", "telemetry (metrics, activities)"),
        ("DiagnosticListener", "telemetry (metrics, activities)"),
        ("DiagnosticsHandler", "telemetry (metrics, activities)"),
        ("MetricsHandler", "telemetry (metrics, activities)"),
        ("HostingMetrics", "telemetry (metrics, activities)"),
        ("KestrelMetrics", "telemetry (metrics, activities)"),
        ("ConnectionMetrics", "telemetry (metrics, activities)"),
        ("Yarp.", "YARP and the upstream HttpClient"),
        ("System.Net.Http", "YARP and the upstream HttpClient"),
        ("Microsoft.AspNetCore.Routing", "middleware and routing"),
        ("Microsoft.AspNetCore.Authentication", "middleware and routing"),
        ("Microsoft.AspNetCore.Authorization", "middleware and routing"),
        ("Microsoft.AspNetCore.RateLimiting", "middleware and routing"),
        ("Microsoft.AspNetCore.HostFiltering", "middleware and routing"),
        ("Microsoft.AspNetCore.Http.RequestDelegateFactory", "middleware and routing"),
        ("Gateway.Abuse", "middleware and routing"),
        ("Gateway.", "gateway download handler (resolve, policy, transform)"),
        ("Microsoft.AspNetCore", "Kestrel and hosting"),
        ("System.IO.Pipelines", "Kestrel and hosting"),
    ];

    public static int Run(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: cpu-breakdown TRACE.nettrace --pid PID [--cpu-us-per-request N] [--top N]");
            return 2;
        }

        var trace = args[0];
        var pid = (int)CommandOptions.Number(args, "--pid", 0);
        var cpuPerRequest = CommandOptions.Number(args, "--cpu-us-per-request", 0);
        var top = (int)CommandOptions.Number(args, "--top", 25);
        var focus = CommandOptions.Text(args, "--focus");

        using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(trace));
        var byPart = new Dictionary<string, long>(StringComparer.Ordinal);
        var exclusive = new Dictionary<string, long>(StringComparer.Ordinal);
        var inclusive = new Dictionary<string, long>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var underFocus = new Dictionary<string, long>(StringComparer.Ordinal);
        var frames = new List<string>();
        long samples = 0;
        foreach (var data in log.Events)
        {
            if ((pid != 0 && data.ProcessID != pid) || !data.EventName.EndsWith("cpu", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var stack = data.CallStack();
            if (stack is null)
            {
                continue;
            }

            samples++;
            string? part = null;
            var leaf = true;
            seen.Clear();
            frames.Clear();
            for (var frame = stack; frame is not null; frame = frame.Caller)
            {
                var name = FrameName(frame);
                frames.Add(name);
                if (leaf)
                {
                    exclusive[name] = exclusive.GetValueOrDefault(name) + 1;
                    leaf = false;
                }

                if (seen.Add(name))
                {
                    inclusive[name] = inclusive.GetValueOrDefault(name) + 1;
                }

                part ??= PartOf(name);
            }

            part ??= Unattributed;
            byPart[part] = byPart.GetValueOrDefault(part) + 1;
            if (focus is not null)
            {
                // The callee of the outermost frame that matches: where that frame's time goes.
                var outermost = frames.FindLastIndex(f => f.Contains(focus, StringComparison.Ordinal));
                if (outermost >= 0)
                {
                    var callee = outermost > 0 ? frames[outermost - 1] : "(self)";
                    underFocus[callee] = underFocus.GetValueOrDefault(callee) + 1;
                }
            }
        }

        if (samples == 0)
        {
            Console.Error.WriteLine($"no CPU samples for process {pid} in {trace}");
            return 1;
        }

        Console.WriteLine($"{samples} CPU samples of process {pid}" + (cpuPerRequest > 0 ? $"; {cpuPerRequest:0} µs of CPU per request measured" : ""));
        Console.WriteLine();
        Console.WriteLine("| part of a download | share of CPU | µs per request |");
        Console.WriteLine("| --- | ---: | ---: |");
        foreach (var (part, count) in byPart.OrderByDescending(static p => p.Value))
        {
            var share = (double)count / samples;
            var micros = cpuPerRequest > 0 ? (share * cpuPerRequest).ToString("0", CultureInfo.InvariantCulture) : "-";
            Console.WriteLine($"| {part} | {share:P1} | {micros} |");
        }

        if (focus is not null)
        {
            PrintTop($"called by the outermost frame matching '{focus}'", underFocus, samples, top);
        }

        PrintTop("inclusive", inclusive, samples, top);
        PrintTop("exclusive (leaf frames)", exclusive, samples, top);
        return 0;
    }

    private static void PrintTop(string title, Dictionary<string, long> frames, long samples, int top)
    {
        Console.WriteLine();
        Console.WriteLine($"top {top} frames, {title}:");
        foreach (var (name, count) in frames.OrderByDescending(static f => f.Value).Take(top))
        {
            Console.WriteLine($"  {(double)count / samples,7:P1}  {name}");
        }
    }

    private static string FrameName(TraceCallStack frame)
    {
        var address = frame.CodeAddress;
        var method = address.FullMethodName;
        return string.IsNullOrEmpty(method) ? $"{address.ModuleName}!?" : $"{address.ModuleName}!{method}";
    }

    private static string? PartOf(string frame)
    {
        foreach (var (fragment, part) in Parts)
        {
            if (frame.Contains(fragment, StringComparison.Ordinal))
            {
                return part;
            }
        }

        return null;
    }

}
