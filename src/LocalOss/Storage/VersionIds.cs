using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;

namespace LocalOss.Storage;

/// <summary>
/// Version ids and the sequence that orders the versions of a key. An id is 64 URL-safe base64 characters
/// (OSS's own are of that length and alphabet) carrying 48 bytes: the version's sequence, 8 bytes big-endian,
/// then 40 random bytes. Carrying the sequence lets a GET by id find the file without listing the key's
/// versions; the random part makes ids unique and unguessable.
/// The sequence is the UTC clock in ticks, bumped past the last one issued, so it strictly grows within a
/// process and, as long as the clock does not step back across a restart, from one run to the next.
/// </summary>
internal sealed class VersionIds(TimeProvider timeProvider)
{
    /// <summary>The id of the version written while a bucket had no versioning, or had it suspended.</summary>
    public const string Null = "null";

    private const int SequenceBytes = sizeof(long);
    private const int IdBytes = 48;
    private const int IdLength = 64;
    private const int SequenceDigits = 16;

    private static readonly SearchValues<char> Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private long _lastSequence;

    public long NextSequence()
    {
        while (true)
        {
            var last = Volatile.Read(ref _lastSequence);
            var next = Math.Max(timeProvider.GetUtcNow().UtcTicks, last + 1);
            if (Interlocked.CompareExchange(ref _lastSequence, next, last) == last)
            {
                return next;
            }
        }
    }

    public (long Sequence, string Id) NextVersion()
    {
        var sequence = NextSequence();
        Span<byte> bytes = stackalloc byte[IdBytes];
        BinaryPrimitives.WriteInt64BigEndian(bytes, sequence);
        RandomNumberGenerator.Fill(bytes[SequenceBytes..]);
        return (sequence, Base64Url.EncodeToString(bytes));
    }

    /// <summary>
    /// The sequence inside an id LocalOss issued. Only the canonical encoding is accepted, so the id is safe to
    /// use as part of a file name: 64 characters of <c>A–Z a–z 0–9 - _</c>, nothing else.
    /// </summary>
    public static bool TryGetSequence(string versionId, out long sequence)
    {
        sequence = 0;

        // Checked first: the decoder skips whitespace, and throws rather than fail on some characters. 64 characters
        // of the alphabet are exactly 48 bytes with no spare bits, so each id has one spelling.
        if (versionId.Length != IdLength || versionId.AsSpan().ContainsAnyExcept(Alphabet))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[IdBytes];
        if (!Base64Url.TryDecodeFromChars(versionId, bytes, out var written) || written != IdBytes)
        {
            return false;
        }

        sequence = BinaryPrimitives.ReadInt64BigEndian(bytes);
        return sequence > 0;
    }

    /// <summary>Fixed-width hex first, so an ordinal sort of the names is a sort by sequence.</summary>
    public static string FileName(long sequence, string versionId) =>
        string.Create(CultureInfo.InvariantCulture, $"{sequence:x16}-{versionId}");

    public static bool TryParseFileName(string name, out long sequence)
    {
        sequence = 0;
        return name.Length == SequenceDigits + 1 + IdLength
            && name[SequenceDigits] == '-'
            && long.TryParse(name.AsSpan(0, SequenceDigits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out sequence)
            && sequence > 0;
    }
}
