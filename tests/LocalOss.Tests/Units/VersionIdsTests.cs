using LocalOss.Storage;
using LocalOss.Tests.Infrastructure;

namespace LocalOss.Tests.Units;

public sealed class VersionIdsTests
{
    [Fact]
    public void Ids_are_64_url_safe_characters_that_carry_their_sequence()
    {
        var ids = new VersionIds(TimeProvider.System);

        var (sequence, id) = ids.NextVersion();

        Assert.Matches("^[A-Za-z0-9_-]{64}$", id);
        Assert.True(VersionIds.TryGetSequence(id, out var decoded));
        Assert.Equal(sequence, decoded);
    }

    [Fact]
    public void Sequences_keep_growing_when_the_clock_stands_still()
    {
        var ids = new VersionIds(new FixedTimeProvider(DateTimeOffset.UtcNow));

        var first = ids.NextVersion();
        var second = ids.NextSequence();
        var third = ids.NextVersion();

        Assert.True(first.Sequence < second && second < third.Sequence);
        Assert.NotEqual(first.Id, third.Id);
    }

    [Fact]
    public void File_names_sort_by_sequence()
    {
        var ids = new VersionIds(TimeProvider.System);
        var names = Enumerable.Range(0, 20).Select(_ => ids.NextVersion()).Select(v => VersionIds.FileName(v.Sequence, v.Id)).ToList();

        Assert.Equal(names, names.Order(StringComparer.Ordinal));
        Assert.All(names, name => Assert.True(VersionIds.TryParseFileName(name, out _)));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("CAEQNhiBgMDJgZCA0BYiIDc4MGZjZGI2OTBjOTRmNTE5NmU5NmFmZjQ1")]
    [InlineData("../../../../../../../../../../../../../../../../../../../../etc/x")]
    public void Ids_it_did_not_issue_are_refused(string versionId)
    {
        Assert.False(VersionIds.TryGetSequence(versionId, out _));
    }

    [Fact]
    public void Ids_in_the_standard_base64_alphabet_or_with_whitespace_are_refused()
    {
        var (_, id) = new VersionIds(TimeProvider.System).NextVersion();

        Assert.False(VersionIds.TryGetSequence(id.Replace('-', '+').Replace('_', '/')[..63] + "/", out _));
        Assert.False(VersionIds.TryGetSequence(id[..62] + " " + id[63], out _));
    }
}
