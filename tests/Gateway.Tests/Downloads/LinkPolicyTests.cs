using System.Net;
using Gateway.Downloads;
using Gateway.Links;

namespace Gateway.Tests.Downloads;

public sealed class LinkPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly IPAddress Client = IPAddress.Parse("203.0.113.9");

    private static Link NewLink() => new() { Code = "abc", Bucket = "b", Key = "k", CreatedAt = Now.AddDays(-1) };

    [Fact]
    public void An_active_link_in_its_window_is_served() =>
        Assert.Null(LinkPolicy.Check(NewLink() with { NotBefore = Now.AddHours(-1), ExpiresAt = Now.AddHours(1) }, Now, Client));

    [Fact]
    public void Revoked_wins_over_everything_else() =>
        Assert.Equal(LinkPolicy.Revoked, LinkPolicy.Check(NewLink() with { State = LinkState.Revoked, ExpiresAt = Now.AddHours(-1) }, Now, Client));

    [Fact]
    public void Expiry_is_exclusive_at_the_instant()
    {
        Assert.Null(LinkPolicy.Check(NewLink() with { ExpiresAt = Now.AddTicks(1) }, Now, Client));
        Assert.Equal(LinkPolicy.Expired, LinkPolicy.Check(NewLink() with { ExpiresAt = Now }, Now, Client));
    }

    [Fact]
    public void Not_yet_valid_says_when_it_opens()
    {
        var denial = LinkPolicy.Check(NewLink() with { NotBefore = Now.AddMinutes(30) }, Now, Client);

        Assert.Equal(410, denial?.StatusCode);
        Assert.Contains("2026-11-28 12:30:00 UTC", denial?.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("203.0.113.0/24", true)]
    [InlineData("203.0.113.9", true)]
    [InlineData("10.0.0.0/8", false)]
    [InlineData("2001:db8::/32", false)]
    public void Allow_lists_match_by_network(string cidr, bool allowed)
    {
        var denial = LinkPolicy.Check(NewLink() with { AllowedCidrs = [cidr] }, Now, Client);

        Assert.Equal(allowed, denial is null);
    }

    [Fact]
    public void Ipv4_mapped_clients_match_ipv4_networks()
    {
        var mapped = IPAddress.Parse("::ffff:203.0.113.9");

        Assert.True(ClientAddress.IsInAny(mapped.MapToIPv4(), ["203.0.113.0/24"]));
    }

    [Fact]
    public void Exhaustion_compares_used_with_the_limit()
    {
        Assert.False(LinkPolicy.IsExhausted(NewLink()));
        Assert.False(LinkPolicy.IsExhausted(NewLink() with { MaxDownloads = 2, UsedDownloads = 1 }));
        Assert.True(LinkPolicy.IsExhausted(NewLink() with { MaxDownloads = 2, UsedDownloads = 2 }));
    }
}
