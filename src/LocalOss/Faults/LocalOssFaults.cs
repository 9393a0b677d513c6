using System.Net;
using LocalOss.Errors;
using LocalOss.Http;
using Microsoft.AspNetCore.Http;

namespace LocalOss.Faults;

/// <summary>
/// Misbehaviour a test switches on, as a troubled OSS shows it: object reads (GET and HEAD; uploads
/// stay unaffected, so a test can still set objects up) answered with a 5xx OSS error now and then, or
/// hanging before any response header. Off by default; reached through <see cref="LocalOssHost.Faults"/>.
/// Thread-safe.
/// </summary>
public sealed class LocalOssFaults
{
    private readonly Lock _lock = new();
    private int _failEvery;
    private int _status;
    private long _reads;
    private TaskCompletionSource? _stalled;
    private long _injected;
    private volatile bool _armed;

    /// <summary>Reads answered with a fault (or stalled) so far.</summary>
    public long Injected => Interlocked.Read(ref _injected);

    /// <summary>Every <paramref name="every"/>-th object read (1: each one) is answered <paramref name="status"/> (500 InternalError or 503 ServiceUnavailable, OSS's wording).</summary>
    public void FailEvery(int every, HttpStatusCode status)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        if (status is not (HttpStatusCode.InternalServerError or HttpStatusCode.ServiceUnavailable))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "OSS answers 500 InternalError or 503 ServiceUnavailable when it is in trouble.");
        }

        lock (_lock)
        {
            _failEvery = every;
            _status = (int)status;
            _reads = 0;
            _armed = true;
        }
    }

    /// <summary>
    /// Object reads hang before any header (the connection stays open, silent) until <see cref="Clear"/>.
    /// Replaces <see cref="FailEvery"/>: a stalled read released by <see cref="Clear"/> is answered normally,
    /// never with an error as well, so each faulty read counts once in <see cref="Injected"/>.
    /// </summary>
    public void StallBeforeHeaders()
    {
        lock (_lock)
        {
            _failEvery = 0;
            _stalled ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _armed = true;
        }
    }

    /// <summary>Normal service; stalled reads go on and are answered normally.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _failEvery = 0;
            _stalled?.TrySetResult();
            _stalled = null;
            _armed = false;
        }
    }

    /// <summary>Runs the request through the faults in force, then (unless one answered it) through <paramref name="next"/>.</summary>
    internal Task HandleAsync(HttpContext context, RequestDelegate next) =>
        _armed && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            ? InjectAsync(context, next)
            : next(context);

    private async Task InjectAsync(HttpContext context, RequestDelegate next)
    {
        Task? stall;
        int failWith = 0;
        lock (_lock)
        {
            stall = _stalled?.Task;
            if (_failEvery > 0 && ++_reads % _failEvery == 0)
            {
                failWith = _status;
            }
        }

        if (stall is not null)
        {
            Interlocked.Increment(ref _injected);
            try
            {
                await stall.WaitAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client gave up waiting.
                return;
            }

            // Released by Clear, possibly before this server noticed that the client had already gone.
            await next(context);
            return;
        }

        if (failWith != 0)
        {
            Interlocked.Increment(ref _injected);
            context.Response.Headers[OssHeaders.RequestId] = OssRequestId.Create();
            await OssErrorResponse.WriteAsync(context, failWith == 500
                ? new OssError(500, "InternalError", "We encountered an internal error. Please try again.")
                : new OssError(503, "ServiceUnavailable", "Please reduce your request rate."));
            return;
        }

        await next(context);
    }
}
