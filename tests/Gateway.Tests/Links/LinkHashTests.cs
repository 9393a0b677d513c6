using Gateway.Links;
using StackExchange.Redis;

namespace Gateway.Tests.Links;

public sealed class LinkHashTests
{
    [Fact]
    public void A_link_round_trips_through_its_hash_fields()
    {
        var link = FullLink();

        var values = LinkHash.ToFieldValues(link);
        var entries = new HashEntry[values.Length / 2];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new HashEntry(values[2 * i], values[(2 * i) + 1]);
        }

        var read = LinkHash.FromEntries(link.Code, entries);

        Assert.NotNull(read);
        Assert.Equal(link with { Tags = [], AllowedCidrs = [] }, read with { Tags = [], AllowedCidrs = [] });
        Assert.Equal(link.Tags, read.Tags);
        Assert.Equal(link.AllowedCidrs, read.AllowedCidrs);
    }

    private static Link FullLink() =>
        new()
        {
            Code = "abcdefghij",
            Bucket = "media",
            Key = "报告 2024/ä+b.txt",
            VersionId = "CAEQNhiBgMDJgZCA0BYiIDc4MGZjZGI2OTBjOTRmNTE5NmU5NmFmZjUyYzZmMjE2",
            Filename = "report.txt",
            Disposition = ContentDispositionType.Inline,
            ContentType = "text/plain",
            State = LinkState.Revoked,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_123),
            Owner = "admin",
            Note = "a note, with \"quotes\"",
            Tags = ["q3", "board"],
            Mode = DeliveryMode.Redirect,
            NotBefore = DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_000),
            ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_000),
            MaxDownloads = 5,
            AllowedCidrs = ["10.0.0.0/8", "2001:db8::/32"],
            TrafficLimit = 819_200,
            BindClientIp = true,
            PinnedETag = "\"5EB63BBBE01EEED093CB22BB8F5ACDC3\"",
        };

    /// <summary>What HMGET answers for <paramref name="fields"/> of the link's hash: null where a field is absent.</summary>
    private static RedisValue[] HashGet(Link link, RedisValue[] fields, long? used)
    {
        var values = LinkHash.ToFieldValues(link);
        var stored = new Dictionary<string, RedisValue>();
        for (var i = 0; i + 1 < values.Length; i += 2)
        {
            stored[(string)values[i]!] = values[i + 1];
        }

        if (used is { } count)
        {
            stored[LinkHash.Used] = count;
        }

        return [.. fields.Select(field => stored.GetValueOrDefault((string)field!, RedisValue.Null))];
    }

    [Fact]
    public void The_download_read_has_every_field_a_download_uses()
    {
        var link = FullLink() with { UsedDownloads = 3 };

        var read = LinkHash.FromDownloadFields(link.Code, HashGet(link, LinkHash.DownloadFields, used: 3));

        Assert.NotNull(read);
        // Creation time, owner, note and tags are the admin API's; the download read leaves them out.
        Assert.Equal(
            link with { CreatedAt = DateTimeOffset.UnixEpoch, Owner = null, Note = null, Tags = [], AllowedCidrs = [] },
            read with { Tags = [], AllowedCidrs = [] });
        Assert.Empty(read.Tags);
        Assert.Equal(link.AllowedCidrs, read.AllowedCidrs);
    }

    [Fact]
    public void The_download_read_of_a_minimal_link_leaves_the_options_empty()
    {
        var link = new Link { Code = "abc", Bucket = "b", Key = "k", CreatedAt = DateTimeOffset.UnixEpoch };

        var read = LinkHash.FromDownloadFields("abc", HashGet(link, LinkHash.DownloadFields, used: null));

        Assert.Equal(link, read);
        Assert.Null(LinkHash.FromDownloadFields("abc", new RedisValue[LinkHash.DownloadFields.Length]));
    }

    [Fact]
    public void The_download_count_is_read_but_never_written()
    {
        var link = new Link { Code = "abc", Bucket = "b", Key = "k", CreatedAt = DateTimeOffset.UnixEpoch, UsedDownloads = 7 };

        var fields = LinkHash.ToFieldValues(link).Where((_, i) => i % 2 == 0).Select(v => (string)v!).ToList();
        var read = LinkHash.FromEntries("abc", [new HashEntry("bucket", "b"), new HashEntry("key", "k"), new HashEntry("used", 3)]);

        Assert.DoesNotContain("used", fields);
        Assert.Equal(3, read?.UsedDownloads);
    }

    [Fact]
    public void Optional_fields_are_left_out_of_the_hash()
    {
        var link = new Link { Code = "abc", Bucket = "b", Key = "k", CreatedAt = DateTimeOffset.UnixEpoch };

        var fields = LinkHash.ToFieldValues(link).Where((_, i) => i % 2 == 0).Select(v => (string)v!).ToList();

        Assert.DoesNotContain("versionId", fields);
        Assert.DoesNotContain("filename", fields);
        Assert.DoesNotContain("tags", fields);
    }

    [Fact]
    public void A_hash_without_target_is_no_link()
    {
        Assert.Null(LinkHash.FromEntries("abc", []));
        Assert.Null(LinkHash.FromEntries("abc", [new HashEntry("state", "revoked")]));
    }
}
