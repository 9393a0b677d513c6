using System.Security.Cryptography;
using System.Text;

namespace LocalOss.Sts;

/// <summary>
/// Alibaba Cloud's RPC signature (SignatureMethod HMAC-SHA1, SignatureVersion 1.0) as credentials-go computes it for
/// AssumeRole: every parameter but Signature, sorted by name, names and values percent-encoded (RFC 3986), joined
/// <c>k=v&amp;...</c>; string to sign <c>METHOD&amp;%2F&amp;</c> + percentEncode(that); HMAC-SHA1 keyed with secret + "&amp;", base64.
/// </summary>
internal static class RpcSignature
{
    public const string SignatureParameter = "Signature";

    public static string StringToSign(string method, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var sorted = new List<KeyValuePair<string, string>>();
        foreach (var parameter in parameters)
        {
            if (!string.Equals(parameter.Key, SignatureParameter, StringComparison.Ordinal))
            {
                sorted.Add(parameter);
            }
        }

        // Go's url.Values.Encode sorts by the raw name, byte-wise: ordinal for the ASCII names STS uses.
        sorted.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var canonical = new StringBuilder();
        foreach (var (name, value) in sorted)
        {
            if (canonical.Length > 0)
            {
                canonical.Append('&');
            }

            canonical.Append(PercentEncode(name)).Append('=').Append(PercentEncode(value));
        }

        return method.ToUpperInvariant() + "&%2F&" + PercentEncode(canonical.ToString());
    }

    public static string Sign(string stringToSign, string accessKeySecret) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(accessKeySecret + "&"), Encoding.UTF8.GetBytes(stringToSign)));

    /// <summary>RFC 3986: unreserved <c>A-Za-z0-9-_.~</c> kept, every other UTF-8 byte as upper-case %XX (a space is %20).</summary>
    public static string PercentEncode(string value) => Uri.EscapeDataString(value);

    /// <summary>Compares in constant time: the signature is a secret-derived value.</summary>
    public static bool Matches(string expected, string provided) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(provided));
}
