using System.Security.Cryptography;

namespace LocalOss.Errors;

/// <summary>Request ids shaped like OSS's: 24 upper-case hex characters, random per request.</summary>
internal static class OssRequestId
{
    public static string Create()
    {
        Span<byte> bytes = stackalloc byte[12];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexString(bytes);
    }
}
