using System.Globalization;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Gateway.Benchmarks.Profiling;

/// <summary>
/// Where the gateway allocates: the runtime's allocation samples (<c>GCAllocationTick</c>, one about every
/// 100 KB allocated, naming the type and the stack of the allocation that crossed the mark) of a
/// <c>dotnet-trace collect --providers Microsoft-Windows-DotNETRuntime:0x1:5</c> trace, summed by type and
/// by allocation site. The site is the innermost frame outside the runtime's own libraries (the code that
/// asked for the object), so a string built by <c>string.Concat</c> in the transformer counts there.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project tests/Gateway.Benchmarks -- alloc-breakdown TRACE --pid PID
/// [--requests N] [--top N]</c>; with <c>--requests</c> (the requests served while tracing) each row is
/// also given in bytes per request.
/// </remarks>
internal static class AllocationBreakdown
{
    public const string Command = "alloc-breakdown";

    /// <summary>Frames of these modules are the runtime's, not the caller that asked for memory.</summary>
    private static readonly string[] RuntimeModules =
    [
        "system.private.corelib", "system.runtime", "system.collections", "system.linq", "system.memory",
        "system.text", "libcoreclr", "libclrjit", "libc.so", "vmlinux",
    ];

    public static int Run(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: alloc-breakdown TRACE.nettrace --pid PID [--requests N] [--top N]");
            return 2;
        }

        var trace = args[0];
        var pid = (int)CommandOptions.Number(args, "--pid", 0);
        var requests = (long)CommandOptions.Number(args, "--requests", 0);
        var top = (int)CommandOptions.Number(args, "--top", 25);

        using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(trace));
        var byType = new Dictionary<string, long>(StringComparer.Ordinal);
        var bySite = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        foreach (var data in log.Events)
        {
            if ((pid != 0 && data.ProcessID != pid) || data is not GCAllocationTickTraceData tick)
            {
                continue;
            }

            var bytes = tick.AllocationAmount64;
            total += bytes;
            var type = tick.TypeName ?? "?";
            byType[type] = byType.GetValueOrDefault(type) + bytes;
            var site = SiteOf(data.CallStack()) + "  ←  " + type;
            bySite[site] = bySite.GetValueOrDefault(site) + bytes;
        }

        if (total == 0)
        {
            Console.Error.WriteLine($"no allocation samples for process {pid} in {trace}");
            return 1;
        }

        Console.WriteLine($"{total / 1048576.0:0.0} MiB allocated by process {pid} while tracing" +
            (requests > 0 ? $"; {requests} requests, {total / (double)requests:0} bytes per request" : ""));
        Print("by type", byType, total, requests, top);
        Print("by allocation site (innermost frame outside the runtime's libraries) and type", bySite, total, requests, top);
        return 0;
    }

    private static string SiteOf(TraceCallStack? stack)
    {
        for (var frame = stack; frame is not null; frame = frame.Caller)
        {
            var address = frame.CodeAddress;
            var module = address.ModuleName ?? "?";
            if (!RuntimeModules.Any(runtime => module.StartsWith(runtime, StringComparison.OrdinalIgnoreCase)) && !string.IsNullOrEmpty(address.FullMethodName))
            {
                return $"{module}!{address.FullMethodName}";
            }
        }

        return "(no stack)";
    }

    private static void Print(string title, Dictionary<string, long> rows, long total, long requests, int top)
    {
        Console.WriteLine();
        Console.WriteLine($"top {top} {title}:");
        foreach (var (name, bytes) in rows.OrderByDescending(static r => r.Value).Take(top))
        {
            var perRequest = requests > 0 ? $"{bytes / (double)requests,7:0} B/req  " : "";
            Console.WriteLine($"  {(double)bytes / total,6:P1}  {perRequest}{name}");
        }
    }

}
