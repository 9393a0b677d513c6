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

    /// <summary>Found by LinkCodeProperties: the patterns ended in $, which also matches before a final newline.</summary>
    [Theory]
    [InlineData("abc\n")]
    [InlineData("vanity-code\n")]
    public void A_vanity_code_with_a_trailing_newline_is_refused(string code)
    {
        var buckets = new Gateway.Buckets.BucketRegistry(
            Microsoft.Extensions.Options.Options.Create(new Gateway.Hosting.GatewayOptions()),
            TimeProvider.System,
            new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());

        var errors = CreateLinkValidator.Validate(new CreateLinkRequest { Code = code, Key = "k", Tags = ["tag\n"] }, buckets, DateTimeOffset.UnixEpoch);

        Assert.True(errors.ContainsKey("code"));
        Assert.True(errors.ContainsKey("tags[0]"));
    }
}
