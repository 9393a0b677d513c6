using System.Net;
using System.Net.Sockets;

namespace Gateway.Webhooks;

/// <summary>
/// Which addresses a webhook may reach (SSRF). Unless private networks are allowed, an endpoint must be
/// https on a host whose every address is public: not loopback, private (RFC 1918, ULA), link-local,
/// shared/CGNAT (which holds cloud metadata services such as 100.100.100.200), unspecified, multicast,
/// reserved or broadcast, nor an IPv4-mapped, IPv4-compatible or NAT64 form of one. Checked when an
/// endpoint is saved and again when each connection is made (<see cref="ConnectAsync"/>), so a host that
/// resolves differently later (DNS rebinding) is still refused.
/// </summary>
internal static class WebhookAddressPolicy
{
    /// <summary>Why the address may not be reached, or null when it is a public unicast address.</summary>
    public static string? Refusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return Refusal(address.MapToIPv4());
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b switch
            {
                [0, _, _, _] => "an unspecified ('this network') address",
                [127, _, _, _] => "a loopback address",
                [10, _, _, _] => "a private address",
                [172, >= 16 and <= 31, _, _] => "a private address",
                [192, 168, _, _] => "a private address",
                [169, 254, _, _] => "a link-local address",
                [100, >= 64 and <= 127, _, _] => "a shared (CGNAT) address, where cloud metadata services live",
                [192, 0, 0, _] => "an IETF protocol address",
                [198, 18 or 19, _, _] => "a benchmarking address",
                [>= 224 and <= 239, _, _, _] => "a multicast address",
                [255, 255, 255, 255] => "the broadcast address",
                [>= 240, _, _, _] => "a reserved address",
                _ => null,
            };
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return "not an IP address";
        }

        if (address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any))
        {
            return "an unspecified address";
        }

        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return "a loopback address";
        }

        Span<byte> v6 = stackalloc byte[16];
        address.TryWriteBytes(v6, out _);
        if ((v6[0] & 0xFE) == 0xFC)
        {
            return "a private (unique local) address";
        }

        if (v6[0] == 0xFE && (v6[1] & 0xC0) is 0x80 or 0xC0)
        {
            return "a link-local address";
        }

        if (v6[0] == 0xFF)
        {
            return "a multicast address";
        }

        // ::a.b.c.d (IPv4-compatible, deprecated) and 64:ff9b::a.b.c.d (NAT64) reach the IPv4 address inside.
        var compatible = v6[..12].IndexOfAnyExcept((byte)0) < 0;
        var nat64 = v6[..12].SequenceEqual((ReadOnlySpan<byte>)[0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0]);
        if (compatible || nat64)
        {
            return Refusal(new IPAddress(v6[12..]));
        }

        return null;
    }

    /// <summary>Why the URL may not be an endpoint (in words for a ValidationProblem on <c>url</c>), or null.</summary>
    public static async Task<string?> CheckUrlAsync(string? text, bool allowPrivateNetworks, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text, UriKind.Absolute, out var url))
        {
            return "An absolute URL is required.";
        }

        if (url.Scheme != Uri.UriSchemeHttps && !(allowPrivateNetworks && url.Scheme == Uri.UriSchemeHttp))
        {
            return allowPrivateNetworks ? "The URL must be http or https." : "The URL must be https.";
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            return "The URL must not carry credentials.";
        }

        if (!string.IsNullOrEmpty(url.Fragment))
        {
            return "The URL must not have a fragment.";
        }

        if (allowPrivateNetworks)
        {
            return null;
        }

        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(url.IdnHost, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return $"The host '{url.Host}' does not resolve.";
        }

        foreach (var address in addresses)
        {
            if (Refusal(address) is { } reason)
            {
                return $"The host '{url.Host}' resolves to {address}, {reason}; webhooks may only reach public addresses.";
            }
        }

        return null;
    }

    /// <summary>
    /// The <see cref="SocketsHttpHandler.ConnectCallback"/> of the webhook client: resolves the host itself,
    /// refuses it when any of its addresses is not public, and connects only to the addresses it checked.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivateNetworks, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = await ResolveAsync(host, cancellationToken).ConfigureAwait(false);
        if (!allowPrivateNetworks)
        {
            foreach (var address in addresses)
            {
                if (Refusal(address) is { } reason)
                {
                    throw new WebhookTargetRefusedException(
                        $"Refused to connect: '{host}' resolves to {address}, {reason} (Gateway:Webhooks:AllowPrivateNetworks is off).");
                }
            }
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            return [literal];
        }

        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        return addresses.Length > 0 ? addresses : throw new SocketException((int)SocketError.HostNotFound);
    }
}

/// <summary>A delivery refused before connecting, because its target is not a public address.</summary>
internal sealed class WebhookTargetRefusedException(string message) : IOException(message);
