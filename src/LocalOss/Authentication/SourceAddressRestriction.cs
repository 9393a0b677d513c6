using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LocalOss.Addressing;
using LocalOss.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace LocalOss.Authentication;

/// <summary>
/// The <c>x-oss-ac-*</c> parameters that bind a signed URL to where the request comes from (oss/SIGNING.md §11.5).
/// They are part of the query, so the signature already covers them; this check runs once the signature holds.
/// The client's address (the connection's, or with <c>x-oss-ac-forward-allow=true</c> the first entry of
/// X-Forwarded-For) and <c>x-oss-ac-source-ip</c> are both cut to the <c>x-oss-ac-subnet-mask</c> leading bits
/// (default: the whole address) and must then be equal. OSS documents only that it ANDs the address with the
/// mask, so the comparison of the two masked addresses is our reading of it.
/// </summary>
internal static class SourceAddressRestriction
{
    public const string SourceIpParameter = "x-oss-ac-source-ip";
    public const string SubnetMaskParameter = "x-oss-ac-subnet-mask";
    public const string ForwardAllowParameter = "x-oss-ac-forward-allow";
    public const string VpcIdParameter = "x-oss-ac-vpc-id";

    private const string ForwardedForHeader = "X-Forwarded-For";

    public static OssError? Check(HttpContext context, OssRequestTarget target)
    {
        // OSS learns a request's VPC only when it arrives through a VPC endpoint inside Alibaba Cloud. Nothing
        // reaches LocalOss that way, so a URL bound to a VPC can never be used here, whatever else it carries.
        if (target.GetQueryValue(VpcIdParameter) is not null)
        {
            return OssError.VpcDenied();
        }

        if (target.GetQueryValue(SourceIpParameter) is not { } sourceText)
        {
            return null;
        }

        if (!TryParseAddress(sourceText, out var source))
        {
            return OssError.InvalidSourceIp(sourceText);
        }

        var bits = source.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefixLength = bits;
        if (target.GetQueryValue(SubnetMaskParameter) is { } maskText
            && (!int.TryParse(maskText, NumberStyles.None, CultureInfo.InvariantCulture, out prefixLength) || prefixLength > bits))
        {
            return OssError.InvalidSubnetMask(maskText);
        }

        var forwardAllowed = string.Equals(target.GetQueryValue(ForwardAllowParameter), "true", StringComparison.OrdinalIgnoreCase);
        var client = forwardAllowed ? ForwardedClient(context) : context.Connection.RemoteIpAddress;
        return client is not null && SamePrefix(Unmap(client), source, prefixLength) ? null : OssError.SourceIpDenied();
    }

    /// <summary>
    /// X-Forwarded-For's first entry is the original client. Without the header the request came straight from
    /// the client, so the connection's address is the client's; an entry that is not an address matches nothing.
    /// </summary>
    private static IPAddress? ForwardedClient(HttpContext context)
    {
        var forwarded = context.Request.Headers[ForwardedForHeader];
        if (StringValues.IsNullOrEmpty(forwarded))
        {
            return context.Connection.RemoteIpAddress;
        }

        var first = forwarded[0].AsSpan();
        var comma = first.IndexOf(',');
        var entry = (comma < 0 ? first : first[..comma]).Trim();

        // Proxies sometimes append the client's port ("203.0.113.7:51234", "[2001:db8::1]:443").
        if (IPAddress.TryParse(entry, out var address))
        {
            return address;
        }

        return IPEndPoint.TryParse(entry, out var endPoint) ? endPoint.Address : null;
    }

    /// <summary>
    /// Strict: IPv4 only as a dotted quad (IPAddress.TryParse would take "10.1" as 10.0.0.1) and IPv6 without a
    /// zone, which no remote address carries.
    /// </summary>
    private static bool TryParseAddress(string text, out IPAddress address)
    {
        if (!IPAddress.TryParse(text, out address!) || text.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork && address.ToString() != text)
        {
            return false;
        }

        address = Unmap(address);
        return true;
    }

    // A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d; compare it as the IPv4 address it is.
    private static IPAddress Unmap(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>True when both addresses are of one family and agree on their first <paramref name="prefixLength"/> bits.</summary>
    internal static bool SamePrefix(IPAddress client, IPAddress source, int prefixLength)
    {
        if (client.AddressFamily != source.AddressFamily)
        {
            return false;
        }

        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        if (!client.TryWriteBytes(a, out var length) || !source.TryWriteBytes(b, out _))
        {
            return false;
        }

        var wholeBytes = prefixLength / 8;
        if (!a[..wholeBytes].SequenceEqual(b[..wholeBytes]))
        {
            return false;
        }

        var remainingBits = prefixLength % 8;
        if (remainingBits == 0 || wholeBytes >= length)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - remainingBits));
        return (a[wholeBytes] & mask) == (b[wholeBytes] & mask);
    }
}
