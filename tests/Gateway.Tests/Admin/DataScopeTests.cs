using Gateway.Admin;
using Gateway.Hosting;

namespace Gateway.Tests.Admin;

public sealed class DataScopeTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly DataScope Team = DataScope.From(new ApiKeyOptions
    {
        Buckets = ["media"],
        KeyPrefixes = ["team/", "shared/team-"],
        MaxLinkLifetime = TimeSpan.FromDays(1),
        MaxDownloads = 10,
    });

    [Theory]
    [InlineData("media", "team/a.pdf", true)]
    [InlineData("media", "shared/team-b.pdf", true)]
    [InlineData("media", "shared/other.pdf", false)]
    [InlineData("media", "Team/a.pdf", false)]
    [InlineData("archive", "team/a.pdf", false)]
    public void A_scope_covers_its_buckets_and_key_prefixes_only(string bucket, string key, bool covered) =>
        Assert.Equal(covered, Team.Covers(bucket, key));

    [Fact]
    public void An_unrestricted_key_covers_everything_and_an_unknown_principal_nothing()
    {
        Assert.True(DataScope.From(new ApiKeyOptions()).Covers("any", "thing"));
        Assert.False(DataScope.Nothing.Covers("media", "team/a.pdf"));
    }

    [Fact]
    public void Links_must_expire_within_the_lifetime_and_be_limited_within_the_maximum()
    {
        var errors = new Dictionary<string, string[]>();
        Team.CheckExpiry(Now.AddHours(23), Now, errors);
        Team.CheckMaxDownloads(10, errors);
        Assert.Empty(errors);

        Team.CheckExpiry(null, Now, errors);
        Team.CheckMaxDownloads(null, errors);
        Assert.Equal(["expiresAt", "maxDownloads"], errors.Keys.Order(StringComparer.Ordinal));

        errors.Clear();
        Team.CheckExpiry(Now.AddHours(25), Now, errors);
        Team.CheckMaxDownloads(11, errors);
        Team.CheckPresignLifetime(TimeSpan.FromDays(2), errors);
        Assert.Equal(["expires", "expiresAt", "maxDownloads"], errors.Keys.Order(StringComparer.Ordinal));
    }
}
