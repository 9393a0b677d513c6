using System.Globalization;

namespace Gateway.Benchmarks.Profiling;

/// <summary>The <c>--name value</c> options of the profiling commands.</summary>
internal static class CommandOptions
{
    public static string? Text(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    public static double Number(string[] args, string name, double fallback) =>
        Text(args, name) is { } value ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
