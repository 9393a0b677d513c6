using System.Collections.Concurrent;
using Gateway.Links;

namespace Gateway.Downloads;

/// <summary>
/// The downloads this replica is streaming right now, by link code, so a revocation can stop
/// them mid-transfer (the client sees an aborted connection, never a clean but short file).
/// </summary>
internal sealed class InFlightDownloads
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Registration, byte>> _byCode = new(StringComparer.Ordinal);
    private long _generation;

    /// <summary>
    /// How many reads of the <see cref="LinkChangeLog"/> the <see cref="RevocationWatcher"/> has done.
    /// A download reads it before it reads its link and registers with it: every change the watcher
    /// read up to then is already in the link the download read, and later ones are re-checked for it.
    /// </summary>
    public long Generation => Volatile.Read(ref _generation);

    public bool IsEmpty => _byCode.IsEmpty;

    /// <summary>
    /// Every download in flight. Lock-free and not a snapshot (the dictionaries' own enumerators):
    /// a download that starts meanwhile may be left out, and is seen on the next pass.
    /// </summary>
    public IEnumerable<Registration> Registrations
    {
        get
        {
            foreach (var code in _byCode)
            {
                foreach (var registration in code.Value)
                {
                    yield return registration.Key;
                }
            }
        }
    }

    /// <param name="link">The link as the download read it; its expiry is checked here without the store.</param>
    /// <param name="generation">The <see cref="Generation"/> read before the link was.</param>
    /// <param name="context">The request, aborted when the link is revoked.</param>
    public Registration Register(Link link, long generation, HttpContext context)
    {
        var registration = new Registration(this, link.Code, link.ExpiresAt, generation, context);
        _byCode.GetOrAdd(link.Code, static _ => new ConcurrentDictionary<Registration, byte>()).TryAdd(registration, 0);
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

    internal void Advance(long generation) => Volatile.Write(ref _generation, generation);

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

    /// <summary>
    /// One download. <see cref="ExpiresAt"/> and <see cref="CheckedThrough"/> start as the download read
    /// them; afterwards only the watcher's loop (one pass at a time) reads and moves them.
    /// </summary>
    internal sealed class Registration(InFlightDownloads owner, string code, DateTimeOffset? expiresAt, long checkedThrough, HttpContext context) : IDisposable
    {
        private int _stopped;

        public string Code { get; } = code;

        /// <summary>The link's expiry as last read from the store.</summary>
        public DateTimeOffset? ExpiresAt { get; set; } = expiresAt;

        /// <summary>The <see cref="Generation"/> through which every change of the link is known to this download.</summary>
        public long CheckedThrough { get; set; } = checkedThrough;

        public bool StoppedByRevocation => Volatile.Read(ref _stopped) == 1;

        /// <summary>Aborts the request; false when it was stopped before (it unregisters only once its forwarding has unwound).</summary>
        public bool Abort()
        {
            if (Interlocked.Exchange(ref _stopped, 1) != 0)
            {
                return false;
            }

            context.Abort();
            return true;
        }

        public void Dispose() => owner.Remove(this);
    }
}
