using BenchmarkDotNet.Running;
using Gateway.Benchmarks.Profiling;

namespace Gateway.Benchmarks;

/// <summary>
/// Runs the benchmarks chosen on the command line, e.g. <c>-- --filter '*V4Signing*'</c>, or
/// <c>-- cpu-breakdown TRACE --pid PID</c> to split a CPU profile of the gateway into its parts, or
/// <c>-- alloc-breakdown TRACE --pid PID</c> to sum its allocation samples by type and site.
/// </summary>
public static class BenchmarkProgram
{
    public static int Main(string[] args)
    {
        if (args is [CpuBreakdown.Command, .. var rest])
        {
            return CpuBreakdown.Run(rest);
        }

        if (args is [AllocationBreakdown.Command, .. var allocationArgs])
        {
            return AllocationBreakdown.Run(allocationArgs);
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
        return 0;
    }
}
