using System.Net;

namespace Gateway.Downloads;

/// <summary>The client's address as the gateway sees it, and CIDR parsing for allow-lists and trusted proxies.</summary>
internal static class ClientAddress
{
    /// <summary>
    /// The connection's remote address, already replaced by X-Forwarded-For's client when (and only
    /// when) the peer is a trusted proxy (ForwardedHeaders middleware). IPv4-mapped IPv6 is unwrapped
    /// so 10.0.0.0/8 matches a dual-stack socket's ::ffff:10.1.2.3.
    /// </summary>
    public static IPAddress Of(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress ?? IPAddress.None;
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    /// <summary>Parses "10.0.0.0/8", "2001:db8::/32", or a bare address (a single-host network).</summary>
    public static bool TryParseNetwork(string? text, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        if (IPNetwork.TryParse(trimmed, out network))
        {
            return true;
        }

        if (IPAddress.TryParse(trimmed, out var address) && !trimmed.Contains('/', StringComparison.Ordinal))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return false;
    }

    /// <summary>True when <paramref name="address"/> lies in one of the networks (each already validated at creation).</summary>
    public static bool IsInAny(IPAddress address, IReadOnlyList<string> networks)
    {
        for (var i = 0; i < networks.Count; i++)
        {
            if (TryParseNetwork(networks[i], out var network) && network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
