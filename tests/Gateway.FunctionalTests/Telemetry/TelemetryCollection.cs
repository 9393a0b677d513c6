namespace Gateway.FunctionalTests.Telemetry;

/// <summary>
/// Tests that listen process-wide (a test-owned MeterProvider or TracerProvider, the gateway's own
/// exporters, which see every ActivitySource and Meter of the process) would also see the gateways
/// of other tests. This collection runs alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry (process-wide listeners)";
}
