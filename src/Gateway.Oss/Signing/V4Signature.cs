using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Oss.Signing;

/// <summary>String to sign and signature (SIGNING.md §2.4-2.5).</summary>
internal static class V4Signature
{
    /// <summary>Computes the lower-case hex signature of a canonical request into <paramref name="signature"/> (64 chars).</summary>
    public static void Compute(
        ReadOnlySpan<char> canonicalRequest,
        ReadOnlySpan<char> timestamp,
        string scope,
        ReadOnlySpan<byte> signingKey,
        Span<char> signature,
        SigningTrace? trace)
    {
        Span<byte> hash = stackalloc byte[32];
        HashUtf8(canonicalRequest, hash);

        // "OSS4-HMAC-SHA256\n" + timestamp + "\n" + scope + "\n" + 64 hex: ASCII unless the region is not.
        var stringToSign = new CharBuffer(stackalloc char[192]);
        try
        {
            stringToSign.Append(OssV4.Algorithm);
            stringToSign.Append('\n');
            stringToSign.Append(timestamp);
            stringToSign.Append('\n');
            stringToSign.Append(scope);
            stringToSign.Append('\n');
            Convert.TryToHexStringLower(hash, stringToSign.AppendSpan(64), out _);

            Span<byte> mac = stackalloc byte[32];
            HmacUtf8(signingKey, stringToSign.Written, mac);
            Convert.TryToHexStringLower(mac, signature, out _);
            if (trace is not null)
            {
                trace.CanonicalRequest = canonicalRequest.ToString();
                trace.StringToSign = stringToSign.ToString();
                trace.Signature = signature[..OssV4.SignatureLength].ToString();
            }
        }
        finally
        {
            stringToSign.Dispose();
        }
    }

    private static void HashUtf8(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var byteCount = Encoding.UTF8.GetByteCount(text);
        byte[]? rented = null;
        var bytes = byteCount <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(byteCount));
        try
        {
            var written = Encoding.UTF8.GetBytes(text, bytes);
            SHA256.HashData(bytes[..written], destination);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void HmacUtf8(ReadOnlySpan<byte> key, ReadOnlySpan<char> text, Span<byte> destination)
    {
        var byteCount = Encoding.UTF8.GetByteCount(text);
        byte[]? rented = null;
        var bytes = byteCount <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(byteCount));
        try
        {
            var written = Encoding.UTF8.GetBytes(text, bytes);
            HMACSHA256.HashData(key, bytes[..written], destination);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
