using Gateway.Downloads;
using Gateway.Links;

namespace Gateway.Tests.Downloads;

public sealed class ContentDispositionTests
{
    private static Link LinkTo(string key, string? filename = null, ContentDispositionType disposition = ContentDispositionType.Attachment) =>
        new() { Code = "abc", Bucket = "b", Key = key, Filename = filename, Disposition = disposition, CreatedAt = DateTimeOffset.UnixEpoch };

    [Fact]
    public void Default_name_is_the_last_key_segment() =>
        Assert.Equal("attachment; filename=q3.pdf; filename*=UTF-8''q3.pdf", ContentDisposition.For(LinkTo("reports/2024/q3.pdf")));

    [Fact]
    public void Key_ending_in_a_slash_uses_the_last_named_segment() =>
        Assert.Contains("filename*=UTF-8''folder", ContentDisposition.For(LinkTo("a/folder/")), StringComparison.Ordinal);

    [Fact]
    public void Non_ascii_names_get_an_ascii_fallback_and_filename_star()
    {
        var header = ContentDisposition.For(LinkTo("k", "Über Bericht.pdf"));

        Assert.StartsWith("attachment; filename=\"_ber Bericht.pdf\"", header, StringComparison.Ordinal);
        Assert.Contains("filename*=UTF-8''%C3%9Cber%20Bericht.pdf", header, StringComparison.Ordinal);
    }

    [Fact]
    public void Quotes_in_names_cannot_break_out_of_the_header()
    {
        var header = ContentDisposition.For(LinkTo("k", "a\"; evil=1.txt"));

        Assert.DoesNotContain("; evil=1", header.Replace("%3B", "", StringComparison.Ordinal).Split("filename*")[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("report.pdf")]
    [InlineData("IMG_0042.JPG")]
    [InlineData("a-b_c.tar.gz")]
    [InlineData("with space.txt")]
    [InlineData("tilde~name")]
    [InlineData("per%cent")]
    [InlineData("semi;colon")]
    [InlineData("comma,name")]
    [InlineData("paren(1).txt")]
    [InlineData("back\\slash")]
    [InlineData("日本語.txt")]
    [InlineData(".hidden")]
    public void Plain_names_are_written_exactly_as_the_header_class_writes_them(string name)
    {
        var expected = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue("inline");
        expected.SetHttpFileName(name);

        Assert.Equal(expected.ToString(), ContentDisposition.For(LinkTo("k", name, ContentDispositionType.Inline)));
        Assert.Equal(expected.ToString().Replace("inline;", "attachment;", StringComparison.Ordinal), ContentDisposition.For(LinkTo("dir/" + name)));
    }

    [Fact]
    public void A_key_without_a_name_downloads_as_download() =>
        Assert.Equal("attachment; filename=download; filename*=UTF-8''download", ContentDisposition.For(LinkTo("//")));

    [Fact]
    public void Inline_disposition_is_kept() =>
        Assert.StartsWith("inline;", ContentDisposition.For(LinkTo("x.png", disposition: ContentDispositionType.Inline)), StringComparison.Ordinal);

    /// <summary>
    /// Found by ContentDispositionProperties: the header class took a name in quotes for an already quoted string and
    /// dropped them, so the ASCII fallback named another file.
    /// </summary>
    [Fact]
    public void A_name_in_quotes_keeps_its_quotes_in_the_fallback() =>
        Assert.Equal("attachment; filename=\"\\\"quoted\\\"\"; filename*=UTF-8''%22quoted%22", ContentDisposition.For(LinkTo("k", "\"quoted\"")));

    [Fact]
    public void Line_breaks_and_controls_never_reach_the_header_line()
    {
        var header = ContentDisposition.For(LinkTo("k", "a\r\nSet-Cookie: x=1\0"));

        Assert.Equal("attachment; filename=\"a__Set-Cookie: x=1_\"; filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x%3D1%00", header);
    }

    [Fact]
    public void Astral_characters_are_encoded_whole_in_filename_star() =>
        Assert.Equal("attachment; filename=__.txt; filename*=UTF-8''%F0%9F%98%80.txt", ContentDisposition.For(LinkTo("k", "😀.txt")));
}
