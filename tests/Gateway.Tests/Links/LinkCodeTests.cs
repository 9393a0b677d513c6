using Gateway.Links;

namespace Gateway.Tests.Links;

public sealed class LinkCodeTests
{
    [Fact]
    public void Random_codes_are_ten_base62_characters()
    {
        for (var i = 0; i < 1000; i++)
        {
            var code = LinkCode.NewRandom();
            Assert.Equal(10, code.Length);
            Assert.All(code, c => Assert.True(char.IsAsciiLetterOrDigit(c)));
        }
    }

    [Fact]
    public void Random_codes_do_not_repeat()
    {
        var codes = Enumerable.Range(0, 100_000).Select(_ => LinkCode.NewRandom()).ToHashSet();

        Assert.Equal(100_000, codes.Count);
    }

    [Fact]
    public void Random_codes_use_the_whole_alphabet_evenly()
    {
        var counts = new Dictionary<char, int>();
        for (var i = 0; i < 20_000; i++)
        {
            foreach (var c in LinkCode.NewRandom())
            {
                counts[c] = counts.GetValueOrDefault(c) + 1;
            }
        }

        // 200,000 characters over 62 symbols: about 3226 each; a biased generator would stray far.
        Assert.Equal(62, counts.Count);
        Assert.All(counts.Values, count => Assert.InRange(count, 2800, 3700));
    }

    [Theory]
    [InlineData("abc", true)]
    [InlineData("x7Kp2qRt9w", true)]
    [InlineData("spring-sale_2025", true)]
    [InlineData("ab", false)]
    [InlineData("has space", false)]
    [InlineData("dot.dot", false)]
    [InlineData("ünïcode", false)]
    [InlineData("percent%20", false)]
    public void Well_formed_codes_are_recognised(string code, bool expected) =>
        Assert.Equal(expected, LinkCode.IsWellFormed(code));

    [Fact]
    public void Codes_longer_than_64_characters_are_not_well_formed() =>
        Assert.False(LinkCode.IsWellFormed(new string('a', 65)));

    [Theory]
    [InlineData("api")]
    [InlineData("API")]
    [InlineData("healthz")]
    [InlineData("metrics")]
    [InlineData("openapi")]
    [InlineData("console")]
    [InlineData("Console")]
    public void Gateway_paths_are_reserved(string code) => Assert.True(LinkCode.IsReserved(code));
}
