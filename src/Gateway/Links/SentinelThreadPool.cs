namespace Gateway.Links;

/// <summary>
/// StackExchange.Redis follows a Sentinel failover with blocking calls on thread-pool threads: a timer
/// that runs SwitchPrimary synchronously every second, <c>ReconfigureAsync(...).Wait()</c> when a
/// sentinel connection drops, and PLINQ over the sentinels (StackExchange/StackExchange.Redis#1710,
/// #2790; <c>ConnectionMultiplexer.Sentinel.cs</c>). With the pool's minimum at one worker per core, those
/// calls wait for threads the pool adds slowly, and every request waits with them: on a 2-core machine,
/// with the primary killed under load, no download completed for 16 s although the sentinels had
/// switched after 1.2 s. With 32 workers ready the gap was 0.2 s.
/// </summary>
internal static class SentinelThreadPool
{
    public const int MinWorkerThreads = 32;

    /// <summary>Raises the pool's minimum of worker threads to <see cref="MinWorkerThreads"/>; never lowers it.</summary>
    public static void Reserve()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        if (workers < MinWorkerThreads)
        {
            ThreadPool.SetMinThreads(MinWorkerThreads, completionPorts);
        }
    }
}
