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

    public static Link? FromEntries(string code, HashEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return null;
        }

        string? bucket = null, key = null;
        var link = new Link { Code = code, Bucket = "", Key = "", CreatedAt = DateTimeOffset.UnixEpoch };
        foreach (var entry in entries)
        {
            var value = entry.Value;
            switch ((string?)entry.Name)
            {
                case Bucket: bucket = value; break;
                case Key: key = value; break;
                case VersionId: link = link with { VersionId = value }; break;
                case Filename: link = link with { Filename = value }; break;
                case ContentType: link = link with { ContentType = value }; break;
                case Owner: link = link with { Owner = value }; break;
                case Note: link = link with { Note = value }; break;
                case PinnedETag: link = link with { PinnedETag = value }; break;
                case Disposition: link = link with { Disposition = value == "inline" ? ContentDispositionType.Inline : ContentDispositionType.Attachment }; break;
                case Mode: link = link with { Mode = value == "redirect" ? DeliveryMode.Redirect : DeliveryMode.Proxy }; break;
                case State: link = link with { State = value == "revoked" ? LinkState.Revoked : LinkState.Active }; break;
                case CreatedAt: link = link with { CreatedAt = FromUnixMilliseconds(value) }; break;
                case NotBefore: link = link with { NotBefore = FromUnixMilliseconds(value) }; break;
                case ExpiresAt: link = link with { ExpiresAt = FromUnixMilliseconds(value) }; break;
                case MaxDownloads: link = link with { MaxDownloads = (long)value }; break;
                case Used: link = link with { UsedDownloads = (long)value }; break;
                case TrafficLimit: link = link with { TrafficLimit = (long)value }; break;
                case BindClientIp: link = link with { BindClientIp = value == 1 }; break;
                case AllowedCidrs: link = link with { AllowedCidrs = ((string)value!).Split(',', StringSplitOptions.RemoveEmptyEntries) }; break;
                case Tags: link = link with { Tags = JsonSerializer.Deserialize((string)value!, LinkJsonContext.Default.IReadOnlyListString) ?? [] }; break;
                default: break;
            }
        }

        // A hash without its target is a leftover (e.g. counters written after a delete): no link.
        return bucket is null || key is null ? null : link with { Bucket = bucket, Key = key };
    }

    public static string Format(LinkState state) => state == LinkState.Revoked ? "revoked" : "active";

    public static string Format(DeliveryMode mode) => mode == DeliveryMode.Redirect ? "redirect" : "proxy";

    public static string Format(ContentDispositionType disposition) => disposition == ContentDispositionType.Inline ? "inline" : "attachment";

    private static DateTimeOffset FromUnixMilliseconds(RedisValue value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((string)value!, NumberStyles.Integer, CultureInfo.InvariantCulture));

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
