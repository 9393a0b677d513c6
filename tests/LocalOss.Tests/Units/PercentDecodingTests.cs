using LocalOss.Addressing;

namespace LocalOss.Tests.Units;

public sealed class PercentDecodingTests
{
    [Theory]
    [InlineData("a+b", false, "a+b")]
    [InlineData("a+b", true, "a b")]
    [InlineData("%E6%8A%A5%E5%91%8A%202024", false, "报告 2024")]
    [InlineData("%2e%2E/%2F", false, "../\u002F")]
    [InlineData("100%25", false, "100%")]
    [InlineData("(1)!~", false, "(1)!~")]
    [InlineData("", false, "")]
    public void Decodes_utf8_percent_escapes(string input, bool plusIsSpace, string expected)
    {
        Assert.True(PercentDecoding.TryDecode(input, plusIsSpace, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("%")]
    [InlineData("%2")]
    [InlineData("%zz")]
    [InlineData("%C3")]
    [InlineData("%FF%FE")]
    [InlineData("%ED%A0%80")]
    public void Refuses_malformed_escapes_and_invalid_utf8(string input)
    {
        Assert.False(PercentDecoding.TryDecode(input, plusIsSpace: false, out _));
    }
}
