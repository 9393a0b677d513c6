using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Oss.Signing;

/// <summary>Caches the derived V4 signing key, which depends only on (secret, date, region, product),
/// so a signature costs two HMACs and one SHA-256 instead of six operations.</summary>
/// <remarks>One entry per access key id, replaced when the secret, date, region or product changes; bounded, because
/// STS rotates access key ids and a verifier sees many.</remarks>
internal sealed class V4SigningKeyCache
{
    private const int MaxEntries = 256;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _derivations;

    /// <summary>How many keys were derived rather than found; tests use it to prove the cache works.</summary>
    public long Derivations => Interlocked.Read(ref _derivations);

    public Entry Get(OssCredentials credentials, ReadOnlySpan<char> date, string region, string product)
    {
        if (_entries.TryGetValue(credentials.AccessKeyId, out var entry) && entry.Matches(credentials.AccessKeySecret, date, region, product))
        {
            return entry;
        }

        var key = new byte[32];
        DeriveSigningKey(credentials.AccessKeySecret, date, region, product, key);
        Interlocked.Increment(ref _derivations);
        var dateText = date.ToString();
        entry = new Entry(credentials.AccessKeySecret, dateText, region, product, key, $"{dateText}/{region}/{product}/{OssV4.Terminator}");
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[credentials.AccessKeyId] = entry;
        return entry;
    }

    /// <summary>HMAC-SHA256 chained four times: "aliyun_v4" + secret, then date, region, product and "aliyun_v4_request" (SIGNING.md §2.5).</summary>
    public static void DeriveSigningKey(string secret, ReadOnlySpan<char> date, string region, string product, Span<byte> destination)
    {
        var secretKey = Encoding.UTF8.GetBytes("aliyun_v4" + secret);
        try
        {
            Span<byte> first = stackalloc byte[32];
            Span<byte> second = stackalloc byte[32];
            HmacText(secretKey, date, first);
            HmacText(first, region, second);
            HmacText(second, product, first);
            HmacText(first, OssV4.Terminator, destination);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secretKey);
        }
    }

    private static void HmacText(ReadOnlySpan<byte> key, ReadOnlySpan<char> text, Span<byte> destination)
    {
        Span<byte> data = stackalloc byte[256];
        var length = Encoding.UTF8.GetMaxByteCount(text.Length) <= data.Length ? Encoding.UTF8.GetBytes(text, data) : -1;
        byte[]? large = null;
        if (length < 0)
        {
            large = Encoding.UTF8.GetBytes(text.ToString());
        }

        HMACSHA256.HashData(key, large ?? data[..length], destination);
    }

    internal sealed class Entry(string secret, string date, string region, string product, byte[] key, string scope)
    {
        public byte[] Key { get; } = key;

        /// <summary><c>yyyyMMdd/region/product/aliyun_v4_request</c>.</summary>
        public string Scope { get; } = scope;

        public bool Matches(string otherSecret, ReadOnlySpan<char> otherDate, string otherRegion, string otherProduct) =>
            date.AsSpan().SequenceEqual(otherDate)
            && string.Equals(secret, otherSecret, StringComparison.Ordinal)
            && string.Equals(region, otherRegion, StringComparison.Ordinal)
            && string.Equals(product, otherProduct, StringComparison.Ordinal);
    }
}
