using System.Security.Cryptography;
using System.Text;

namespace Gateway.Downloads;

/// <summary>A download session: one client (IP and User-Agent) fetching one link, perhaps in many ranges.</summary>
internal static class DownloadSession
{
    /// <summary>A short, opaque id: the store never holds client IPs or User-Agents in clear.</summary>
    public static string IdOf(HttpContext context)
    {
        var identity = $"{ClientAddress.Of(context)}\n{context.Request.Headers.UserAgent}";
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(identity), hash);
        return Convert.ToHexStringLower(hash[..12]);
    }

    /// <summary>
    /// Browser speculation (Sec-Purpose: prefetch, or the older Purpose: prefetch): not a person
    /// downloading, so it never counts.
    /// </summary>
    public static bool IsPrefetch(HttpRequest request) =>
        request.Headers["Sec-Purpose"].ToString().Contains("prefetch", StringComparison.OrdinalIgnoreCase)
        || request.Headers["Purpose"].ToString().Contains("prefetch", StringComparison.OrdinalIgnoreCase)
        || request.Headers["X-Moz"].ToString().Equals("prefetch", StringComparison.OrdinalIgnoreCase);
}
