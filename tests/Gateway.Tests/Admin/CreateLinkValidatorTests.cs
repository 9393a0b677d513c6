using Gateway.Admin;

namespace Gateway.Tests.Admin;

public sealed class CreateLinkValidatorTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("dir/file.txt")]
    [InlineData("a/../b")]
    [InlineData("with space+plus%percent~tilde(1)!.txt")]
    [InlineData("报告/文件.pdf")]
    public void Odd_but_legal_keys_are_accepted(string key) => Assert.Null(CreateLinkValidator.KeyError(key));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/abs")]
    [InlineData("\\abs")]
    [InlineData("tab\there")]
    [InlineData("nul\0")]
    public void Illegal_keys_are_refused(string? key) => Assert.NotNull(CreateLinkValidator.KeyError(key));

    [Fact]
    public void Keys_that_are_not_valid_unicode_are_refused() =>
        Assert.NotNull(CreateLinkValidator.KeyError("broken-" + '\ud800' + "-surrogate"));

    [Fact]
    public void Keys_are_measured_in_utf8_bytes()
    {
        Assert.Null(CreateLinkValidator.KeyError(new string('a', 1023)));
        Assert.NotNull(CreateLinkValidator.KeyError(new string('a', 1024)));
        Assert.NotNull(CreateLinkValidator.KeyError(new string('é', 512)));
    }
}
