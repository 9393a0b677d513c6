using Gateway.Oss.Signing;

namespace Gateway.Oss.Tests.Signing;

/// <summary>SIGNING.md §5: only A-Z a-z 0-9 - _ . ~ (and '/' in paths) stay literal; UTF-8 bytes become upper-case %XX.</summary>
public sealed class OssPercentEncodingTests
{
    [Theory]
    [InlineData("plain-Name_0.9~", "plain-Name_0.9~")]
    [InlineData("a b", "a%20b")]
    [InlineData("a+b", "a%2Bb")]
    [InlineData("100%", "100%25")]
    [InlineData("()!*'", "%28%29%21%2A%27")]
    [InlineData("a/b", "a/b")]
    [InlineData("ä", "%C3%A4")]
    [InlineData("😀", "%F0%9F%98%80")]
    public void Paths_keep_slashes(string text, string expected) =>
        Assert.Equal(expected, OssPercentEncoding.EncodePath(text));

    [Theory]
    [InlineData("a/b", "a%2Fb")]
    [InlineData("x=y;z", "x%3Dy%3Bz")]
    [InlineData("\"q\"", "%22q%22")]
    [InlineData("LTAI/20241112/cn-hangzhou/oss/aliyun_v4_request", "LTAI%2F20241112%2Fcn-hangzhou%2Foss%2Faliyun_v4_request")]
    public void Query_components_escape_slashes(string text, string expected) =>
        Assert.Equal(expected, OssPercentEncoding.EncodeQueryComponent(text));

    [Fact]
    public void Text_that_needs_no_encoding_is_returned_without_a_copy()
    {
        var text = "exampledir/exampleobject.txt";

        Assert.Same(text, OssPercentEncoding.EncodePath(text));
    }

    [Fact]
    public void Long_text_grows_past_the_stack_buffer()
    {
        var key = string.Concat(Enumerable.Repeat("报", 500));

        Assert.Equal(string.Concat(Enumerable.Repeat("%E6%8A%A5", 500)), OssPercentEncoding.EncodePath(key));
    }
}
