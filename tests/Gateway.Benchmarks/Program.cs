using BenchmarkDotNet.Running;
using Gateway.Benchmarks.Profiling;

namespace Gateway.Benchmarks;

/// <summary>
/// Runs the benchmarks chosen on the command line, e.g. <c>-- --filter '*V4Signing*'</c>, or
/// <c>-- cpu-breakdown TRACE --pid PID</c> to split a CPU profile of the gateway into its parts.
/// </summary>
public static class BenchmarkProgram
{
    public static int Main(string[] args)
    {
        if (args is [CpuBreakdown.Command, .. var rest])
        {
            return CpuBreakdown.Run(rest);
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
        return 0;
    }
}
