using System.Globalization;

namespace Gateway.Testing;

/// <summary>
/// How many generated cases each property runs: <c>GATEWAY_PROPERTY_ITERATIONS</c>, 10,000 when unset. CI runs the
/// default; a longer hunt sets more (README, "Hardening tests"). One file, linked into each test project with properties.
/// </summary>
internal static class PropertyRuns
{
    public const string Variable = "GATEWAY_PROPERTY_ITERATIONS";

    public const long Default = 10_000;

    public static long Iterations { get; } =
        long.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : Default;

    /// <summary>Says in the test output how many cases ran, so a report can quote it.</summary>
    public static void Report(string property) =>
        TestContext.Current.TestOutputHelper?.WriteLine($"{property}: {Iterations} generated cases passed ({Variable}={Iterations}).");
}
