using Gateway.Links;

namespace Gateway.Tests.Links;

public sealed class EffectiveStateTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static Link NewLink() => new() { Code = "abc", Bucket = "b", Key = "k", CreatedAt = Now };

    [Fact]
    public void Each_state_is_derived_from_the_link_and_the_clock()
    {
        Assert.Equal("active", EffectiveState.Of(NewLink(), Now));
        Assert.Equal("revoked", EffectiveState.Of(NewLink() with { State = LinkState.Revoked }, Now));
        Assert.Equal("expired", EffectiveState.Of(NewLink() with { ExpiresAt = Now }, Now));
        Assert.Equal("exhausted", EffectiveState.Of(NewLink() with { MaxDownloads = 1, UsedDownloads = 1 }, Now));
        Assert.Equal("scheduled", EffectiveState.Of(NewLink() with { NotBefore = Now.AddSeconds(1) }, Now));
    }

    [Fact]
    public void Revocation_is_reported_before_expiry() =>
        Assert.Equal("revoked", EffectiveState.Of(NewLink() with { State = LinkState.Revoked, ExpiresAt = Now.AddDays(-1) }, Now));
}
