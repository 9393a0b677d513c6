using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace Gateway.Hosting;

/// <summary>
/// The host's lifetime, in place of the console lifetime, for what SIGTERM does. Kubernetes sends it to
/// a pod it stops while, at the same time and asynchronously, it removes the pod from the Service's
/// endpoints; kube-proxy and ingress controllers follow seconds later. A listener closed at once refuses
/// the connections still routed here meanwhile. So SIGTERM first only announces the stop
/// (<c>/readyz</c> answers 503) and keeps serving, new connections included, for
/// <c>Gateway:ShutdownDelay</c>; then the host stops as <see cref="GracefulShutdown"/> describes. This does
/// what a <c>preStop</c> sleep does, without a shell in the image and on any Kubernetes version.
/// Ctrl+C (SIGINT), SIGQUIT and a second SIGTERM stop the host at once. It logs where the console
/// lifetime did (<c>Microsoft.Hosting.Lifetime</c>), which deployments keep at Information.
/// </summary>
internal sealed partial class GatewayLifetime(
    IHostApplicationLifetime lifetime, ShutdownAnnouncement announcement, IOptions<GatewayOptions> options, ILoggerFactory loggers)
    : IHostLifetime, IDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger("Microsoft.Hosting.Lifetime");
    private readonly List<PosixSignalRegistration> _signals = [];

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => LogStarted(_logger));
        lifetime.ApplicationStopping.Register(() => LogStopping(_logger));
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, StopNow));
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGQUIT, StopNow));
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, StopAfterDelay));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var signal in _signals)
        {
            signal.Dispose();
        }
    }

    private void StopNow(PosixSignalContext context)
    {
        context.Cancel = true;
        announcement.TryAnnounce();
        lifetime.StopApplication();
    }

    private void StopAfterDelay(PosixSignalContext context)
    {
        var delay = options.Value.ShutdownDelay;
        if (!announcement.TryAnnounce() || delay <= TimeSpan.Zero)
        {
            StopNow(context);
            return;
        }

        context.Cancel = true;
        LogStopDelayed(_logger, delay.TotalSeconds);
        _ = StopLaterAsync(delay);
    }

    private async Task StopLaterAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, lifetime.ApplicationStopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped meanwhile (a second signal): nothing left to wait for.
        }

        lifetime.StopApplication();
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Application started. Press Ctrl+C to shut down.")]
    private static partial void LogStarted(ILogger logger);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information,
        Message = "SIGTERM: /readyz answers 503; still serving for {DelaySeconds} s (Gateway:ShutdownDelay) while load balancers take this replica out, then shutting down")]
    private static partial void LogStopDelayed(ILogger logger, double delaySeconds);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Information, Message = "Application is shutting down...")]
    private static partial void LogStopping(ILogger logger);
}
