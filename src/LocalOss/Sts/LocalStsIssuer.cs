using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace LocalOss.Sts;

/// <summary>
/// Mints temporary credentials the way STS does and validates them without remembering any: the security token
/// carries the access key id, role, session, expiry and a generation number under an HMAC-SHA256 of the issuer's key,
/// so whoever holds the same instance (LocalOss, <see cref="LocalStsServer"/>, <see cref="LocalEcsMetadataServer"/>)
/// recognises them. Thread-safe.
/// </summary>
/// <remarks>
/// The secret is not written into the token but derived from the access key id under the issuer's key. Tokens travel
/// in presigned URLs and request headers; a secret readable from one would let anyone holding a URL sign new requests,
/// which real STS tokens do not allow either.
/// </remarks>
public sealed class LocalStsIssuer
{
    /// <summary>How every access key id this issuer mints begins, as STS's do.</summary>
    public const string AccessKeyIdPrefix = "STS.";

    private readonly System.Collections.Concurrent.ConcurrentQueue<IssuedCredentials> _issued = new();
    private const string Alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const int AccessKeyIdRandomLength = 25;
    private const int SecretLength = 32;
    private const byte FormatVersion = 1;
    private const int MacLength = 32;
    private const int MinimumKeyLength = 16;

    private readonly byte[] _macKey;
    private readonly byte[] _secretKey;
    private int _generation;
    private long _issuedCount;

    /// <param name="issuerKey">At least 16 bytes; share the instance, not the key, to share invalidation.</param>
    /// <param name="timeProvider">The clock expirations are computed from; the system clock by default.</param>
    public LocalStsIssuer(ReadOnlySpan<byte> issuerKey, TimeProvider? timeProvider = null)
    {
        if (issuerKey.Length < MinimumKeyLength)
        {
            throw new ArgumentException($"The issuer key must be at least {MinimumKeyLength} bytes.", nameof(issuerKey));
        }

        // Separate keys for separate purposes, so a MAC can never double as a secret.
        _macKey = HMACSHA256.HashData(issuerKey, "LocalSts security token"u8);
        _secretKey = HMACSHA256.HashData(issuerKey, "LocalSts access key secret"u8);
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <param name="issuerKey">At least 16 bytes of UTF-8.</param>
    /// <param name="timeProvider">The clock expirations are computed from; the system clock by default.</param>
    public LocalStsIssuer(string issuerKey, TimeProvider? timeProvider = null)
        : this(Encoding.UTF8.GetBytes(issuerKey ?? throw new ArgumentNullException(nameof(issuerKey))), timeProvider)
    {
    }

    /// <summary>Everything minted so far, so a test can check that no secret or token of it leaked anywhere.</summary>
    public IReadOnlyCollection<IssuedCredentials> Issued => _issued;

    /// <summary>How many credentials this issuer has minted.</summary>
    public long IssuedCount => Interlocked.Read(ref _issuedCount);

    /// <summary>The clock the stand-ins built on this issuer share.</summary>
    internal TimeProvider TimeProvider { get; }

    /// <summary>True for an access key id shaped like one this issuer (or STS) mints.</summary>
    public static bool IsTemporaryAccessKeyId(string accessKeyId) =>
        accessKeyId is not null && accessKeyId.StartsWith(AccessKeyIdPrefix, StringComparison.Ordinal);

    /// <summary>Mints credentials for a role session that expire <paramref name="lifetime"/> from now (rounded down to the second).</summary>
    public IssuedCredentials Issue(string roleArn, string roleSessionName, TimeSpan lifetime)
    {
        ArgumentException.ThrowIfNullOrEmpty(roleArn);
        ArgumentException.ThrowIfNullOrEmpty(roleSessionName);
        if (lifetime < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "Credentials must live at least one second.");
        }

        // STS reports expirations to the second; rounding down keeps the reported instant the real one.
        var expiresUnix = (TimeProvider.GetUtcNow() + lifetime).ToUnixTimeSeconds();
        var accessKeyId = AccessKeyIdPrefix + RandomNumberGenerator.GetString(Alphanumerics, AccessKeyIdRandomLength);
        var token = CreateToken(accessKeyId, roleArn, roleSessionName, expiresUnix, Volatile.Read(ref _generation));
        Interlocked.Increment(ref _issuedCount);
        var issued = new IssuedCredentials(accessKeyId, DeriveSecret(accessKeyId), token, DateTimeOffset.FromUnixTimeSeconds(expiresUnix));
        _issued.Enqueue(issued);
        return issued;
    }

    /// <summary>Checks a token against the access key id it was presented with, at <paramref name="now"/>.</summary>
    public StsTokenValidation Validate(string accessKeyId, string securityToken, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(accessKeyId) || string.IsNullOrEmpty(securityToken) || !TryReadToken(securityToken, out var token))
        {
            return new(StsTokenStatus.Invalid, null);
        }

        if (!string.Equals(token.AccessKeyId, accessKeyId, StringComparison.Ordinal) || token.Generation != Volatile.Read(ref _generation))
        {
            return new(StsTokenStatus.Invalid, null);
        }

        return now.ToUnixTimeSeconds() >= token.ExpiresUnix
            ? new(StsTokenStatus.Expired, null)
            : new(StsTokenStatus.Valid, DeriveSecret(accessKeyId));
    }

    /// <summary>Makes every token issued so far <see cref="StsTokenStatus.Invalid"/>, as revoking a role's sessions does.</summary>
    public void InvalidateAllIssued() => Interlocked.Increment(ref _generation);

    private string CreateToken(string accessKeyId, string roleArn, string roleSessionName, long expiresUnix, int generation)
    {
        var fields = new[] { accessKeyId, roleArn, roleSessionName };
        var length = 1 + 4 + 8 + MacLength;
        foreach (var field in fields)
        {
            length += 2 + Encoding.UTF8.GetByteCount(field);
        }

        var buffer = new byte[length];
        var span = buffer.AsSpan();
        span[0] = FormatVersion;
        BinaryPrimitives.WriteInt32BigEndian(span[1..], generation);
        BinaryPrimitives.WriteInt64BigEndian(span[5..], expiresUnix);
        var offset = 13;
        foreach (var field in fields)
        {
            var written = Encoding.UTF8.GetBytes(field, span[(offset + 2)..]);
            BinaryPrimitives.WriteUInt16BigEndian(span[offset..], checked((ushort)written));
            offset += 2 + written;
        }

        HMACSHA256.HashData(_macKey, span[..offset], span[offset..]);

        // Standard base64 with '+', '/' and '=', like real STS tokens, so clients must encode them properly.
        return Convert.ToBase64String(buffer);
    }

    private bool TryReadToken(string text, out TokenContent content)
    {
        content = default;
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return false;
        }

        if (bytes.Length < 1 + 4 + 8 + (3 * 2) + MacLength || bytes[0] != FormatVersion)
        {
            return false;
        }

        var payload = bytes.AsSpan(0, bytes.Length - MacLength);
        Span<byte> expected = stackalloc byte[MacLength];
        HMACSHA256.HashData(_macKey, payload, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes.AsSpan(payload.Length)))
        {
            return false;
        }

        // The MAC holds, so the layout is one this issuer wrote: the access key id is the first field.
        var idLength = BinaryPrimitives.ReadUInt16BigEndian(payload[13..]);
        content = new TokenContent(
            Encoding.UTF8.GetString(payload.Slice(15, idLength)),
            BinaryPrimitives.ReadInt64BigEndian(payload[5..]),
            BinaryPrimitives.ReadInt32BigEndian(payload[1..]));
        return true;
    }

    private string DeriveSecret(string accessKeyId)
    {
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(_secretKey, Encoding.UTF8.GetBytes(accessKeyId), hash);
        return string.Create(SecretLength, hash.ToArray(), static (chars, bytes) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = Alphanumerics[bytes[i] % Alphanumerics.Length];
            }
        });
    }

    private readonly record struct TokenContent(string AccessKeyId, long ExpiresUnix, int Generation);
}
