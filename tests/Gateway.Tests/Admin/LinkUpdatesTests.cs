using System.Text.Json;
using Gateway.Admin;
using Gateway.Links;

namespace Gateway.Tests.Admin;

public sealed class LinkUpdatesTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly Link Current = new()
    {
        Code = "abcdefghij",
        Bucket = "media",
        Key = "a.txt",
        CreatedAt = Now.AddDays(-10),
        ExpiresAt = Now.AddDays(1),
        MaxDownloads = 5,
        UsedDownloads = 2,
        Note = "note",
        Tags = ["a"],
        Mode = DeliveryMode.Redirect,
        BindClientIp = true,
        Disposition = ContentDispositionType.Inline,
    };

    private static PatchLinkRequest Parse(string json) => JsonSerializer.Deserialize(json, AdminJsonContext.Default.PatchLinkRequest)!;

    [Fact]
    public void The_patch_records_which_members_were_present_even_when_null()
    {
        var patch = Parse("""{"note":null,"maxDownloads":7}""");

        Assert.Equal(["maxDownloads", "note"], patch.Present.Order(StringComparer.Ordinal));
        Assert.Null(patch.Note);
        Assert.Equal(7, patch.MaxDownloads);
    }

    [Fact]
    public void Absent_members_keep_their_values_and_null_ones_are_removed_or_reset()
    {
        var updated = LinkUpdates.Apply(Current, Parse("""{"note":null,"tags":null,"mode":null,"bindClientIp":null,"disposition":null}"""));

        Assert.Null(updated.Note);
        Assert.Empty(updated.Tags);
        Assert.Equal(DeliveryMode.Proxy, updated.Mode);
        Assert.False(updated.BindClientIp);
        Assert.Equal(ContentDispositionType.Attachment, updated.Disposition);
        Assert.Equal(Current.ExpiresAt, updated.ExpiresAt);
        Assert.Equal(Current.MaxDownloads, updated.MaxDownloads);
        Assert.Equal(Current.UsedDownloads, updated.UsedDownloads);
    }

    [Fact]
    public void Only_errors_the_patch_causes_are_reported()
    {
        var expired = Current with { ExpiresAt = Now.AddDays(-1) };
        var patch = Parse("""{"note":"still allowed"}""");

        Assert.Empty(LinkUpdates.Validate(LinkUpdates.Apply(expired, patch), patch.Present, Now));
    }

    [Theory]
    [InlineData("""{"expiresAt":"2026-05-01T00:00:00Z"}""", "expiresAt")]
    [InlineData("""{"expiresAt":"2026-06-01T12:30:00Z","notBefore":"2026-06-01T13:00:00Z"}""", "notBefore")]
    [InlineData("""{"mode":"proxy"}""", "bindClientIp")]
    [InlineData("""{"tags":["ok","no way"]}""", "tags[1]")]
    public void Errors_name_the_field_including_cross_field_rules_the_patch_breaks(string json, string field)
    {
        var patch = Parse(json);

        var errors = LinkUpdates.Validate(LinkUpdates.Apply(Current, patch), patch.Present, Now);

        Assert.Contains(field, errors.Keys);
    }

    [Fact]
    public void Changed_fields_leave_out_values_that_stay_the_same()
    {
        var patch = Parse("""{"note":"note","maxDownloads":6,"contentType":null,"tags":["a"]}""");

        var changed = LinkUpdates.ChangedFields(Current, LinkUpdates.Apply(Current, patch), patch.Present);

        Assert.Equal(["maxDownloads"], changed);
    }
}
