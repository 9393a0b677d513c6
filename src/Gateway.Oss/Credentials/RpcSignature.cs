using System.Security.Cryptography;
using System.Text;

namespace Gateway.Oss;

/// <summary>
/// Alibaba Cloud's RPC-style request signature (SignatureMethod HMAC-SHA1, SignatureVersion 1.0), as the
/// credentials SDKs sign STS AssumeRole: every parameter but Signature, sorted by name, each name and value
/// percent-encoded (RFC 3986), joined with '&amp;'; the string to sign is
/// <c>METHOD&amp;%2F&amp;</c> + the percent-encoded result; the key is the AccessKeySecret plus '&amp;'.
/// </summary>
public static class RpcSignature
{
    public static string Compute(string method, IEnumerable<KeyValuePair<string, string>> parameters, string accessKeySecret)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentException.ThrowIfNullOrEmpty(accessKeySecret);
        var stringToSign = StringToSign(method, parameters);
        var signature = HMACSHA1.HashData(Encoding.UTF8.GetBytes(accessKeySecret + "&"), Encoding.UTF8.GetBytes(stringToSign));
        return Convert.ToBase64String(signature);
    }

    public static string StringToSign(string method, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var canonical = new StringBuilder();
        foreach (var (name, value) in parameters.Where(p => p.Key != "Signature").OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (canonical.Length > 0)
            {
                canonical.Append('&');
            }

            canonical.Append(PercentEncode(name)).Append('=').Append(PercentEncode(value));
        }

        return $"{method.ToUpperInvariant()}&{PercentEncode("/")}&{PercentEncode(canonical.ToString())}";
    }

    /// <summary>RFC 3986: unreserved characters stay, every other UTF-8 byte becomes %XX (upper case); a space is %20.</summary>
    public static string PercentEncode(string value) => Uri.EscapeDataString(value);
}
