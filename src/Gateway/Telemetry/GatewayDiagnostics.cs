using System.Diagnostics;

namespace Gateway.Telemetry;

/// <summary>The gateway's own trace source; spans for the steps the HTTP instrumentation cannot see.</summary>
internal static class GatewayDiagnostics
{
    public static readonly ActivitySource ActivitySource = new(GatewayTelemetry.ActivitySourceName);

    /// <summary>Span around the link lookup (store round trip and policy), child of the server span.</summary>
    public static Activity? StartResolve() => ActivitySource.StartActivity("gateway.link.resolve", ActivityKind.Internal);
}
