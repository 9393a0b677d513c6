using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace Gateway.Oss.Signing;

/// <summary>String to sign and signature (SIGNING.md §2.4-2.5).</summary>
internal static class V4Signature
{
    // The one-shot HashData methods set up and free an OpenSSL context per call, which costs more than hashing a
    // canonical request (HMAC: three times more); a signature reuses its thread's contexts instead.
    [ThreadStatic]
    private static Hashers? _hashers;

    private static ReadOnlySpan<byte> AlgorithmLine => "OSS4-HMAC-SHA256\n"u8;

    /// <summary>Computes the lower-case hex signature of a canonical request into <paramref name="signature"/> (64 chars).</summary>
    public static void Compute(
        ReadOnlySpan<char> canonicalRequest,
        ReadOnlySpan<char> timestamp,
        string scope,
        byte[] signingKey,
        Span<char> signature,
        SigningTrace? trace)
    {
        // Taken out of the slot while in use, so that a context left half-fed by an exception is dropped, not reused.
        var hashers = _hashers ?? new Hashers();
        _hashers = null;

        Span<byte> hash = stackalloc byte[32];
        AppendUtf8(hashers.Sha256, canonicalRequest);
        hashers.Sha256.GetHashAndReset(hash);

        // "OSS4-HMAC-SHA256\n" + timestamp + "\n" + scope + "\n" + 64 hex, written straight as UTF-8 and fed in one call:
        // each call into OpenSSL also clears its error queue, which costs more than hashing a 64-byte block.
        var length = AlgorithmLine.Length + Encoding.UTF8.GetByteCount(timestamp) + Encoding.UTF8.GetByteCount(scope) + 2 + 64;
        var stringToSign = length <= 256 ? stackalloc byte[256] : new byte[length];
        AlgorithmLine.CopyTo(stringToSign);
        var written = AlgorithmLine.Length;
        written += Encoding.UTF8.GetBytes(timestamp, stringToSign[written..]);
        stringToSign[written++] = (byte)'\n';
        written += Encoding.UTF8.GetBytes(scope, stringToSign[written..]);
        stringToSign[written++] = (byte)'\n';
        Convert.TryToHexStringLower(hash, stringToSign[written..length], out _);

        var hmac = hashers.HmacFor(signingKey);
        hmac.AppendData(stringToSign[..length]);
        hmac.GetHashAndReset(hash);
        Convert.TryToHexStringLower(hash, signature, out _);
        _hashers = hashers;

        if (trace is not null)
        {
            trace.CanonicalRequest = canonicalRequest.ToString();
            trace.StringToSign = Encoding.UTF8.GetString(stringToSign[..length]);
            trace.Signature = signature[..OssV4.SignatureLength].ToString();
        }
    }

    /// <summary>Feeds the UTF-8 form of <paramref name="text"/> through a stack buffer, however long the text.</summary>
    private static void AppendUtf8(IncrementalHash hash, ReadOnlySpan<char> text)
    {
        Span<byte> chunk = stackalloc byte[512];
        while (true)
        {
            // Stops before a surrogate pair that does not fit, so no character is split across chunks.
            var status = Utf8.FromUtf16(text, chunk, out var read, out var written);
            hash.AppendData(chunk[..written]);
            if (status != OperationStatus.DestinationTooSmall)
            {
                return;
            }

            text = text[read..];
        }
    }

    private sealed class Hashers
    {
        private byte[]? _key;
        private IncrementalHash? _hmac;

        public IncrementalHash Sha256 { get; } = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        /// <summary>The HMAC context keyed with <paramref name="key"/>, re-created only when the signing key changes (a new
        /// day, another credential). The context holds only what <see cref="V4SigningKeyCache"/> already keeps: the
        /// derived, date-scoped key, never the secret.</summary>
        public IncrementalHash HmacFor(byte[] key)
        {
            // By content, not by instance: signers and verifiers with the same credential cache equal keys in separate arrays.
            if (_hmac is null || !key.AsSpan().SequenceEqual(_key))
            {
                _hmac?.Dispose();
                _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
                _key = key;
            }

            return _hmac;
        }
    }
}
