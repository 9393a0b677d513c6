using System.Net;
using System.Text.Json.Nodes;
using Gateway.Links;
using Gateway.Metering;
using Gateway.Webhooks;
using Microsoft.Extensions.Primitives;

namespace Gateway.Tests.Webhooks;

public sealed class WebhookEventDataTests
{
    private static readonly Link Link = new()
    {
        Code = "x7Kp2qRt9w",
        Bucket = "media",
        Key = "reports/2026/q3.pdf",
        CreatedAt = DateTimeOffset.UnixEpoch,
        ExpiresAt = new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.Zero),
        MaxDownloads = 5,
        Tags = ["finance", "q3"],
    };

    private static DownloadRecord Record(DownloadOutcome outcome = DownloadOutcome.Completed, StringValues range = default, IPAddress? client = null) =>
        new(Link, "GET", 206, outcome, 1024, TimeSpan.FromMilliseconds(1234.6), TimeSpan.FromMilliseconds(5), range, client);

    [Fact]
    public void An_update_carries_the_link_and_the_names_of_the_changed_fields()
    {
        var data = WebhookEventData.ForUpdatedLink(Link with { State = LinkState.Revoked }, ["expiresAt", "tags"]);

        Assert.Equal(
            """{"code":"x7Kp2qRt9w","bucket":"media","key":"reports/2026/q3.pdf","state":"revoked","mode":"proxy","expiresAt":"2026-12-31T00:00:00+00:00","maxDownloads":5,"tags":["finance","q3"],"changed":["expiresAt","tags"]}""",
            data.ToJsonString());
    }

    [Fact]
    public void A_download_carries_what_the_issue_lists_and_no_client_address_by_default()
    {
        var data = WebhookEventData.ForDownload(Record(range: "bytes=0-1023", client: IPAddress.Parse("203.0.113.9")), """["finance","q3"]""", tagsKnown: true, includeClientAddress: false);

        Assert.Equal(
            """{"code":"x7Kp2qRt9w","bucket":"media","key":"reports/2026/q3.pdf","tags":["finance","q3"],"status":206,"range":"bytes=0-1023","bytesSent":1024,"durationMs":1235}""",
            data.ToJsonString());
    }

    [Fact]
    public void The_client_address_comes_only_when_asked_for_and_unwrapped_from_IPv6()
    {
        var data = WebhookEventData.ForDownload(Record(client: IPAddress.Parse("::ffff:10.1.2.3")), null, tagsKnown: true, includeClientAddress: true);

        Assert.Equal("10.1.2.3", (string?)data["clientAddress"]);
    }

    [Fact]
    public void Without_a_range_header_range_is_null_and_a_link_without_tags_has_an_empty_list()
    {
        var data = WebhookEventData.ForDownload(Record(), null, tagsKnown: true, includeClientAddress: false);

        Assert.True(data.ContainsKey("range"));
        Assert.Null(data["range"]);
        Assert.Equal("[]", data["tags"]!.ToJsonString());
    }

    [Fact]
    public void Tags_the_store_could_not_give_are_null_not_an_empty_list()
    {
        var data = WebhookEventData.ForDownload(Record(), null, tagsKnown: false, includeClientAddress: false);

        Assert.True(data.ContainsKey("tags"));
        Assert.Null(data["tags"]);
    }

    [Fact]
    public void Completed_and_aborted_raise_their_events_and_an_answer_without_the_object_none()
    {
        Assert.Equal(WebhookEventTypes.DownloadCompleted, WebhookEventData.DownloadEventType(DownloadOutcome.Completed));
        Assert.Equal(WebhookEventTypes.DownloadAborted, WebhookEventData.DownloadEventType(DownloadOutcome.Aborted));
        Assert.Null(WebhookEventData.DownloadEventType(DownloadOutcome.NoBody));
    }

    [Fact]
    public void A_deleted_link_keeps_its_code_and_target()
    {
        Assert.Equal(
            """{"code":"x7Kp2qRt9w","bucket":"media","key":"reports/2026/q3.pdf"}""",
            WebhookEventData.ForDeletedLink(Link.Code, Link.Bucket, Link.Key).ToJsonString());
    }

    [Fact]
    public void The_data_of_a_link_event_is_a_fresh_object_each_time()
    {
        // The publisher may serialize on another thread; two events must never share a node.
        var first = WebhookEventData.ForLink(Link);
        var second = WebhookEventData.ForLink(Link);

        Assert.NotSame(first, second);
        Assert.True(JsonNode.DeepEquals(first, second));
    }
}
