using System.Net;
using LocalOss.Authentication;

namespace LocalOss.Tests.Units;

public sealed class SourceAddressPrefixTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", 32, true)]
    [InlineData("127.0.0.1", "127.0.0.2", 32, false)]
    [InlineData("127.0.0.1", "127.255.255.255", 8, true)]
    [InlineData("10.9.8.7", "10.9.8.0", 24, true)]
    [InlineData("10.9.8.7", "10.9.9.7", 24, false)]
    [InlineData("10.9.8.7", "10.9.15.255", 21, true)]
    [InlineData("10.9.8.7", "10.9.16.0", 21, false)]
    [InlineData("10.9.8.7", "192.168.0.1", 0, true)]
    [InlineData("2001:db8::1", "2001:db8::ffff", 64, true)]
    [InlineData("2001:db8::1", "2001:db9::1", 32, false)]
    [InlineData("2001:db8::1", "2001:db8::1", 128, true)]
    [InlineData("127.0.0.1", "::1", 0, false)]
    public void Addresses_match_when_their_leading_bits_agree(string client, string source, int prefixLength, bool expected)
    {
        Assert.Equal(expected, SourceAddressRestriction.SamePrefix(IPAddress.Parse(client), IPAddress.Parse(source), prefixLength));
    }
}
