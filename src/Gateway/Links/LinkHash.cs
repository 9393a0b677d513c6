using System.Text.Json;
using StackExchange.Redis;

namespace Gateway.Links;

/// <summary>Maps a <see cref="Link"/> to and from the fields of its Redis hash.</summary>
internal static class LinkHash
{
    private const string Bucket = "bucket";
    private const string Key = "key";
    private const string VersionId = "versionId";
    private const string Filename = "filename";
    private const string Disposition = "disposition";
    private const string ContentType = "contentType";
    private const string Mode = "mode";
    private const string State = "state";
    private const string CreatedAt = "createdAt";
    private const string Owner = "owner";
    private const string Note = "note";
    private const string Tags = "tags";

    public static readonly RedisValue StateField = State;

    /// <summary>Field/value pairs, flattened, with empty optional fields left out.</summary>
    public static RedisValue[] ToFieldValues(Link link)
    {
        var values = new List<RedisValue>(24)
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
        if (link.Tags.Count > 0)
        {
            values.Add(Tags);
            values.Add(JsonSerializer.Serialize(link.Tags, LinkJsonContext.Default.IReadOnlyListString));
        }

        return [.. values];
    }

    public static Link? FromEntries(string code, HashEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return null;
        }

        string? bucket = null, key = null, versionId = null, filename = null, contentType = null, owner = null, note = null;
        var disposition = ContentDispositionType.Attachment;
        var mode = DeliveryMode.Proxy;
        var state = LinkState.Active;
        var createdAt = DateTimeOffset.UnixEpoch;
        IReadOnlyList<string> tags = [];
        foreach (var entry in entries)
        {
            var value = (string?)entry.Value;
            switch ((string?)entry.Name)
            {
                case Bucket: bucket = value; break;
                case Key: key = value; break;
                case VersionId: versionId = value; break;
                case Filename: filename = value; break;
                case ContentType: contentType = value; break;
                case Owner: owner = value; break;
                case Note: note = value; break;
                case Disposition: disposition = value == "inline" ? ContentDispositionType.Inline : ContentDispositionType.Attachment; break;
                case Mode: mode = value == "redirect" ? DeliveryMode.Redirect : DeliveryMode.Proxy; break;
                case State: state = value == "revoked" ? LinkState.Revoked : LinkState.Active; break;
                case CreatedAt: createdAt = DateTimeOffset.FromUnixTimeMilliseconds((long)entry.Value); break;
                case Tags when value is not null: tags = JsonSerializer.Deserialize(value, LinkJsonContext.Default.IReadOnlyListString) ?? []; break;
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
            Disposition = disposition,
            Mode = mode,
            State = state,
            CreatedAt = createdAt,
            Owner = owner,
            Note = note,
            Tags = tags,
        };
    }

    public static string Format(LinkState state) => state == LinkState.Revoked ? "revoked" : "active";

    public static string Format(DeliveryMode mode) => mode == DeliveryMode.Redirect ? "redirect" : "proxy";

    public static string Format(ContentDispositionType disposition) => disposition == ContentDispositionType.Inline ? "inline" : "attachment";

    private static void AddIfPresent(List<RedisValue> values, string field, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            values.Add(field);
            values.Add(value);
        }
    }
}
