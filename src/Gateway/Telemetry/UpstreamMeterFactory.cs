using System.Diagnostics.Metrics;

namespace Gateway.Telemetry;

/// <summary>
/// Creates the meters of the upstream pool's HttpClient instruments, so that telemetry can tell them
/// apart from every other HttpClient's (webhooks, STS): their <see cref="Meter.Scope"/> is this factory.
/// Each download's request to OSS is already timed, with the bucket, by
/// <c>gateway.upstream.time_to_first_byte</c>, which measures the same span as
/// <c>http.client.request.duration</c> (until OSS's response headers), so <see cref="GatewayTelemetry"/>
/// drops that one instrument of these meters and keeps the pool's connection metrics. The pool's only
/// other requests, HEADs that check a pinned object (at link creation and before a redirect), go untimed
/// with it: they are not downloads, and a failed one is answered to its caller.
/// </summary>
internal sealed class UpstreamMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(new MeterOptions(options.Name)
        {
            Version = options.Version,
            Tags = options.Tags,
            TelemetrySchemaUrl = options.TelemetrySchemaUrl,
            Scope = this,
        });
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }

            _meters.Clear();
        }
    }
}
