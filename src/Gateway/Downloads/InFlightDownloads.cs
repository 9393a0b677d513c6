using System.Collections.Concurrent;

namespace Gateway.Downloads;

/// <summary>
/// The downloads this replica is streaming right now, by link code, so a revocation can stop
/// them mid-transfer (the client sees an aborted connection, never a clean but short file).
/// </summary>
internal sealed class InFlightDownloads
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Registration, byte>> _byCode = new(StringComparer.Ordinal);

    /// <summary>Codes with at least one download in flight.</summary>
    public ICollection<string> ActiveCodes => _byCode.Keys;

    public Registration Register(string code, HttpContext context)
    {
        var registration = new Registration(this, code, context);
        _byCode.GetOrAdd(code, static _ => new ConcurrentDictionary<Registration, byte>()).TryAdd(registration, 0);
        return registration;
    }

    /// <summary>Aborts every download of the link on this replica; returns how many.</summary>
    public int AbortAll(string code)
    {
        if (!_byCode.TryGetValue(code, out var registrations))
        {
            return 0;
        }

        var aborted = 0;
        foreach (var registration in registrations.Keys)
        {
            registration.Abort();
            aborted++;
        }

        return aborted;
    }

    private void Remove(Registration registration)
    {
        if (_byCode.TryGetValue(registration.Code, out var registrations))
        {
            registrations.TryRemove(registration, out _);
            if (registrations.IsEmpty)
            {
                // Removes the entry only if it is still this (empty) set: a concurrent Register may have refilled it.
                _byCode.TryRemove(new KeyValuePair<string, ConcurrentDictionary<Registration, byte>>(registration.Code, registrations));
            }
        }
    }

    internal sealed class Registration(InFlightDownloads owner, string code, HttpContext context) : IDisposable
    {
        private int _stopped;

        public string Code { get; } = code;

        public bool StoppedByRevocation => Volatile.Read(ref _stopped) == 1;

        public void Abort()
        {
            if (Interlocked.Exchange(ref _stopped, 1) == 0)
            {
                context.Abort();
            }
        }

        public void Dispose() => owner.Remove(this);
    }
}
