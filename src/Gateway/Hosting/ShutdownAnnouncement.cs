namespace Gateway.Hosting;

/// <summary>
/// Whether this replica has been told to stop. From SIGTERM on, before the host itself begins to stop
/// (<see cref="GatewayLifetime"/> holds that back for <c>Gateway:ShutdownDelay</c>), and of course once it
/// has: <c>/readyz</c> answers 503 from this moment so that load balancers take the replica out.
/// </summary>
internal sealed class ShutdownAnnouncement(IHostApplicationLifetime lifetime)
{
    private int _announced;

    public bool IsAnnounced => Volatile.Read(ref _announced) == 1 || lifetime.ApplicationStopping.IsCancellationRequested;

    /// <summary>Announces the stop; false when it had been announced already.</summary>
    public bool TryAnnounce() => Interlocked.Exchange(ref _announced, 1) == 0;
}
