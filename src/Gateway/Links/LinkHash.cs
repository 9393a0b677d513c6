using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace Gateway.Links;

/// <summary>Maps a <see cref="Link"/> to and from the fields of its Redis hash.</summary>
internal static class LinkHash
{
    public const string Bucket = "bucket";
    public const string Key = "key";
    public const string VersionId = "versionId";
    public const string Filename = "filename";
    public const string Disposition = "disposition";
    public const string ContentType = "contentType";
    public const string Mode = "mode";
    public const string State = "state";
    public const string CreatedAt = "createdAt";
    public const string Owner = "owner";
    public const string Note = "note";
    public const string Tags = "tags";
    public const string NotBefore = "notBefore";
    public const string ExpiresAt = "expiresAt";
    public const string MaxDownloads = "maxDownloads";
    public const string Used = "used";
    public const string AllowedCidrs = "allowedCidrs";
    public const string TrafficLimit = "trafficLimit";
    public const string BindClientIp = "bindClientIp";
    public const string PinnedETag = "pinnedEtag";

    /// <summary>Field/value pairs, flattened, with empty optional fields left out. <c>used</c> is never written here: only the counting script changes it.</summary>
    public static RedisValue[] ToFieldValues(Link link)
    {
        var values = new List<RedisValue>(40)
        {
            Bucket, link.Bucket,
            Key, link.Key,
            Disposition, Format(link.Disposition),
            Mode, Format(link.Mode),
            State, Format(link.State),
            CreatedAt, link.CreatedAt.ToUnixTimeMilliseconds(),
        };
        AddIfPresent(values, VersionId, link.VersionId);
        AddIfPresent(values, Filename, link.Filename);
        AddIfPresent(values, ContentType, link.ContentType);
        AddIfPresent(values, Owner, link.Owner);
        AddIfPresent(values, Note, link.Note);
        AddIfPresent(values, PinnedETag, link.PinnedETag);
        AddIfPresent(values, NotBefore, link.NotBefore?.ToUnixTimeMilliseconds());
        AddIfPresent(values, ExpiresAt, link.ExpiresAt?.ToUnixTimeMilliseconds());
        AddIfPresent(values, MaxDownloads, link.MaxDownloads);
        AddIfPresent(values, TrafficLimit, link.TrafficLimit);
        if (link.BindClientIp)
        {
            values.Add(BindClientIp);
            values.Add(1);
        }

        if (link.AllowedCidrs.Count > 0)
        {
            values.Add(AllowedCidrs);
            values.Add(string.Join(',', link.AllowedCidrs));
        }

        if (link.Tags.Count > 0)
        {
            values.Add(Tags);
            values.Add(JsonSerializer.Serialize(link.Tags, LinkJsonContext.Default.IReadOnlyListString));
        }

        return [.. values];
    }

    /// <summary>The optional fields a full rewrite (PATCH) must delete when they are now absent.</summary>
    public static readonly RedisValue[] OptionalFields =
    [
        VersionId, Filename, ContentType, Owner, Note, PinnedETag, NotBefore, ExpiresAt, MaxDownloads, TrafficLimit, BindClientIp, AllowedCidrs, Tags,
    ];

    /// <summary>
    /// The link in a hash, or null for none. Runs on every download, so fields are read into locals
    /// and the link is built once (a <c>with</c> per field would allocate a copy per field).
    /// </summary>
    public static Link? FromEntries(string code, HashEntry[] entries)
    {
        string? bucket = null, key = null, versionId = null, filename = null, contentType = null, owner = null, note = null, pinnedETag = null;
        var disposition = ContentDispositionType.Attachment;
        var mode = DeliveryMode.Proxy;
        var state = LinkState.Active;
        var createdAt = DateTimeOffset.UnixEpoch;
        DateTimeOffset? notBefore = null, expiresAt = null;
        long? maxDownloads = null, trafficLimit = null;
        long used = 0;
        var bindClientIp = false;
        IReadOnlyList<string> allowedCidrs = [], tags = [];
        foreach (var entry in entries)
        {
            var value = entry.Value;
            switch ((string?)entry.Name)
            {
                case Bucket: bucket = value; break;
                case Key: key = value; break;
                case VersionId: versionId = value; break;
                case Filename: filename = value; break;
                case ContentType: contentType = value; break;
                case Owner: owner = value; break;
                case Note: note = value; break;
                case PinnedETag: pinnedETag = value; break;
                case Disposition: disposition = DispositionOf(value); break;
                case Mode: mode = ModeOf(value); break;
                case State: state = StateOf(value); break;
                case CreatedAt: createdAt = FromUnixMilliseconds(value); break;
                case NotBefore: notBefore = FromUnixMilliseconds(value); break;
                case ExpiresAt: expiresAt = FromUnixMilliseconds(value); break;
                case MaxDownloads: maxDownloads = (long)value; break;
                case Used: used = (long)value; break;
                case TrafficLimit: trafficLimit = (long)value; break;
                case BindClientIp: bindClientIp = value == 1; break;
                case AllowedCidrs: allowedCidrs = CidrsOf(value); break;
                case Tags: tags = JsonSerializer.Deserialize((string)value!, LinkJsonContext.Default.IReadOnlyListString) ?? []; break;
                default: break;
            }
        }

        // A hash without its target is a leftover (e.g. counters written after a delete): no link.
        if (bucket is null || key is null)
        {
            return null;
        }

        return new Link
        {
            Code = code,
            Bucket = bucket,
            Key = key,
            VersionId = versionId,
            Filename = filename,
            ContentType = contentType,
            Owner = owner,
            Note = note,
            PinnedETag = pinnedETag,
            Disposition = disposition,
            Mode = mode,
            State = state,
            CreatedAt = createdAt,
            NotBefore = notBefore,
            ExpiresAt = expiresAt,
            MaxDownloads = maxDownloads,
            UsedDownloads = used,
            TrafficLimit = trafficLimit,
            BindClientIp = bindClientIp,
            AllowedCidrs = allowedCidrs,
            Tags = tags,
        };
    }

    /// <summary>
    /// The fields a download reads, in the order <see cref="FromDownloadFields"/> expects: everything
    /// but the owner, note, tags and creation time, which only the admin API shows. One HMGET, with no
    /// field names coming back to be turned into strings and no tags to parse.
    /// </summary>
    public static readonly RedisValue[] DownloadFields =
    [
        Bucket, Key, VersionId, Filename, Disposition, ContentType, Mode, State, NotBefore, ExpiresAt, MaxDownloads, Used, AllowedCidrs, TrafficLimit, BindClientIp, PinnedETag,
    ];

    /// <summary>
    /// The link as a download sees it, from the values of <see cref="DownloadFields"/>; null for none.
    /// <see cref="Link.CreatedAt"/> is not read and stays the Unix epoch; owner, note and tags stay empty.
    /// </summary>
    public static Link? FromDownloadFields(string code, RedisValue[] values)
    {
        // A hash without its target is a leftover (e.g. counters written after a delete): no link.
        if (values[0].IsNull || values[1].IsNull)
        {
            return null;
        }

        return new Link
        {
            Code = code,
            Bucket = (string)values[0]!,
            Key = (string)values[1]!,
            VersionId = (string?)values[2],
            Filename = (string?)values[3],
            Disposition = DispositionOf(values[4]),
            ContentType = (string?)values[5],
            Mode = ModeOf(values[6]),
            State = StateOf(values[7]),
            CreatedAt = DateTimeOffset.UnixEpoch,
            NotBefore = values[8].IsNull ? null : FromUnixMilliseconds(values[8]),
            ExpiresAt = values[9].IsNull ? null : FromUnixMilliseconds(values[9]),
            MaxDownloads = (long?)values[10],
            UsedDownloads = (long?)values[11] ?? 0,
            AllowedCidrs = values[12].IsNull ? [] : CidrsOf(values[12]),
            TrafficLimit = (long?)values[13],
            BindClientIp = values[14] == 1,
            PinnedETag = (string?)values[15],
        };
    }

    public static string Format(LinkState state) => state == LinkState.Revoked ? "revoked" : "active";

    public static string Format(DeliveryMode mode) => mode == DeliveryMode.Redirect ? "redirect" : "proxy";

    public static string Format(ContentDispositionType disposition) => disposition == ContentDispositionType.Inline ? "inline" : "attachment";

    // One reading of each stored form, for the full read (HGETALL) and the download read (HMGET) alike.
    private static ContentDispositionType DispositionOf(RedisValue value) => value == "inline" ? ContentDispositionType.Inline : ContentDispositionType.Attachment;

    private static DeliveryMode ModeOf(RedisValue value) => value == "redirect" ? DeliveryMode.Redirect : DeliveryMode.Proxy;

    private static LinkState StateOf(RedisValue value) => value == "revoked" ? LinkState.Revoked : LinkState.Active;

    private static string[] CidrsOf(RedisValue value) => ((string)value!).Split(',', StringSplitOptions.RemoveEmptyEntries);

    private static DateTimeOffset FromUnixMilliseconds(RedisValue value) => DateTimeOffset.FromUnixTimeMilliseconds((long)value);

    private static void AddIfPresent(List<RedisValue> values, string field, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            values.Add(field);
            values.Add(value);
        }
    }

    private static void AddIfPresent(List<RedisValue> values, string field, long? value)
    {
        if (value is { } number)
        {
            values.Add(field);
            values.Add(number);
        }
    }
}
