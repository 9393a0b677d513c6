using BenchmarkDotNet.Running;

namespace Gateway.Benchmarks;

/// <summary>Runs the benchmarks chosen on the command line, e.g. <c>-- --filter '*V4Signing*'</c>.</summary>
public static class BenchmarkProgram
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
}
