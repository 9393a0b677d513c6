using System.Net;

namespace LocalOss.Sts;

/// <summary>The next N requests fail with a chosen status: an outage a test switches on. Thread-safe.</summary>
internal sealed class FailureInjection
{
    private readonly Lock _lock = new();
    private int _remaining;
    private HttpStatusCode _status;

    public void FailNext(int count, HttpStatusCode status)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if ((int)status is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "An injected failure is a 4xx or 5xx status.");
        }

        lock (_lock)
        {
            _remaining = count;
            _status = status;
        }
    }

    public bool TryTake(out HttpStatusCode status)
    {
        lock (_lock)
        {
            if (_remaining > 0)
            {
                _remaining--;
                status = _status;
                return true;
            }
        }

        status = default;
        return false;
    }
}
