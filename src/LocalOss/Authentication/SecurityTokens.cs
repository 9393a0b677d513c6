using LocalOss.Addressing;
using Microsoft.AspNetCore.Http;

namespace LocalOss.Authentication;

/// <summary>Where a request carries its STS security token, and keeping that token out of error bodies.</summary>
internal static class SecurityTokens
{
    // Where each signing form carries the STS token (oss/SIGNING.md): the header for both header forms, a query parameter otherwise.
    private const string TokenHeader = "x-oss-security-token";
    private const string V4TokenParameter = "x-oss-security-token";
    private const string V4CredentialParameter = "x-oss-credential";
    private const string V1TokenParameter = "security-token";
    private const string RedactedToken = "(security token withheld)";

    /// <summary>
    /// The token the verifier will compare for this request's signing form. Taking it from the same place keeps a token
    /// sent in the wrong place a mismatch, as in OSS, instead of a key that validates here and fails there.
    /// </summary>
    public static string? Presented(HttpRequest request, OssRequestTarget target)
    {
        if (request.Headers.Authorization.Count > 0)
        {
            var header = request.Headers[TokenHeader];
            return header.Count > 0 ? header[0] : null;
        }

        return target.GetQueryValue(V4CredentialParameter) is not null
            ? target.GetQueryValue(V4TokenParameter)
            : target.GetQueryValue(V1TokenParameter);
    }

    /// <summary>
    /// SignatureDoesNotMatch echoes the canonical request, which holds the security token (a signed x-oss-* header or
    /// query parameter). OSS echoes it too, but a token is a secret and stays out of LocalOss's error bodies.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Withheld(IReadOnlyList<KeyValuePair<string, string>> details, HttpRequest request, OssRequestTarget target)
    {
        var tokens = new List<string>();
        foreach (var value in request.Headers[TokenHeader])
        {
            if (!string.IsNullOrEmpty(value))
            {
                tokens.Add(value);
            }
        }

        foreach (var (name, value) in target.Query)
        {
            if (value.Length > 0 && name is V4TokenParameter or V1TokenParameter)
            {
                tokens.Add(value);
            }
        }

        if (tokens.Count == 0 || details.Count == 0)
        {
            return details;
        }

        var redacted = new List<KeyValuePair<string, string>>(details.Count);
        foreach (var (name, value) in details)
        {
            var text = value;
            foreach (var token in tokens)
            {
                // Raw in a header line or V1 resource, percent-encoded in the V4 canonical query, hex in V1's StringToSignBytes.
                text = text.Replace(token, RedactedToken, StringComparison.Ordinal)
                    .Replace(Uri.EscapeDataString(token), RedactedToken, StringComparison.Ordinal)
                    .Replace(SpacedHex(token), RedactedToken, StringComparison.Ordinal);
            }

            redacted.Add(new(name, text));
        }

        return redacted;
    }

    private static string SpacedHex(string text) =>
        string.Join(' ', Array.ConvertAll(System.Text.Encoding.UTF8.GetBytes(text), static b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
