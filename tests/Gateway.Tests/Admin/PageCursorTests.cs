using Gateway.Admin;
using Gateway.Links;

namespace Gateway.Tests.Admin;

public sealed class PageCursorTests
{
    [Fact]
    public void Link_and_audit_cursors_round_trip_and_never_pass_for_each_other()
    {
        var position = new LinkIndexPosition(1_764_000_000_123, "spring-sale_2025");

        var linkCursor = PageCursor.ForLink(position);
        var auditCursor = PageCursor.ForAudit(42);

        Assert.True(PageCursor.TryParseLink(linkCursor, out var parsed));
        Assert.Equal(position, parsed);
        Assert.True(PageCursor.TryParseAudit(auditCursor, out var id));
        Assert.Equal(42, id);
        Assert.False(PageCursor.TryParseLink(auditCursor, out _));
        Assert.False(PageCursor.TryParseAudit(linkCursor, out _));
        Assert.DoesNotContain('=', linkCursor);
        Assert.DoesNotContain('+', linkCursor);
    }

    [Theory]
    [InlineData("")]
    [InlineData("!!!")]
    [InlineData("bDp4OmFiYw")]
    [InlineData("bDoxMjM6YSBi")]
    [InlineData("YTow")]
    public void Cursors_that_were_not_issued_are_refused(string cursor)
    {
        Assert.False(PageCursor.TryParseLink(cursor, out _));
        Assert.False(PageCursor.TryParseAudit(cursor, out _));
    }

    [Theory]
    [InlineData(null, 50, true)]
    [InlineData("1", 1, true)]
    [InlineData("500", 500, true)]
    [InlineData("0", 0, false)]
    [InlineData("501", 0, false)]
    [InlineData("-5", 0, false)]
    [InlineData("5.5", 0, false)]
    public void Limits_default_to_50_and_stay_within_1_and_500(string? text, int expected, bool valid)
    {
        var errors = new Dictionary<string, string[]>();

        var parsed = PageCursor.TryParseLimit(text, out var limit, errors);

        Assert.Equal(valid, parsed);
        Assert.Equal(valid, errors.Count == 0);
        if (valid)
        {
            Assert.Equal(expected, limit);
        }
    }
}
