using Gateway.Downloads;

namespace Gateway.Tests.Downloads;

public sealed class ActiveContentTests
{
    [Theory]
    [InlineData("text/html")]
    [InlineData("text/html; charset=utf-8")]
    [InlineData("TEXT/HTML")]
    [InlineData("image/svg+xml")]
    [InlineData("application/xhtml+xml")]
    [InlineData("application/xml")]
    [InlineData("text/xml")]
    [InlineData("application/rss+xml")]
    [InlineData("application/javascript")]
    [InlineData("text/javascript")]
    [InlineData("")]
    [InlineData("not a media type")]
    public void Script_capable_or_unknown_types_are_active(string contentType) => Assert.True(ActiveContent.IsActive(contentType));

    [Theory]
    [InlineData("image/png")]
    [InlineData("application/pdf")]
    [InlineData("video/mp4")]
    [InlineData("text/plain")]
    [InlineData("application/octet-stream")]
    public void Passive_types_are_not(string contentType) => Assert.False(ActiveContent.IsActive(contentType));
}
