using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Links;

namespace Gateway.Admin;

/// <summary>Body of <c>POST /api/v1/links</c>. Unknown members are refused, so a misspelt option never silently does nothing.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class CreateLinkRequest
{
    /// <summary>Bucket alias from the gateway's configuration.</summary>
    public string? Bucket { get; set; }

    /// <summary>Object key, 1-1023 UTF-8 bytes, not starting with '/' or '\'.</summary>
    public string? Key { get; set; }

    /// <summary>Pins one version of the object.</summary>
    public string? VersionId { get; set; }

    /// <summary>A vanity code, [A-Za-z0-9_-]{3,64}; a random 10-character code when absent.</summary>
    public string? Code { get; set; }

    /// <summary>The name the browser saves the file as; defaults to the key's last segment.</summary>
    public string? Filename { get; set; }

    /// <summary><c>attachment</c> (default) or <c>inline</c>.</summary>
    public string? Disposition { get; set; }

    /// <summary>Overrides the object's stored Content-Type.</summary>
    public string? ContentType { get; set; }

    /// <summary><c>proxy</c> (default): streamed through the gateway and metered to the byte; <c>redirect</c>: a 302 to a URL presigned for seconds.</summary>
    public string? Mode { get; set; }

    /// <summary>Downloads before this instant get 410.</summary>
    public DateTimeOffset? NotBefore { get; set; }

    /// <summary>Downloads from this instant on get 410.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>How many download sessions the link serves (ranges and resumes of one session count once).</summary>
    public long? MaxDownloads { get; set; }

    /// <summary>Client networks (CIDR or single addresses) allowed to download; others get 403.</summary>
    public List<string>? AllowedCidrs { get; set; }

    /// <summary>Per-connection bandwidth cap in bit/s (OSS range 819200-838860800).</summary>
    public long? TrafficLimit { get; set; }

    /// <summary>Redirect mode only: bind each presigned URL to the clicking client's IP.</summary>
    public bool? BindClientIp { get; set; }

    /// <summary>Record the object's ETag now and refuse to serve a changed object later (410).</summary>
    public bool? PinEtag { get; set; }

    public List<string>? Tags { get; set; }

    public string? Note { get; set; }
}

/// <summary>A link as the admin API shows it: target, presentation, state and counters.</summary>
internal sealed record LinkResponse(
    string Code,
    string Url,
    string Bucket,
    string Key,
    string? VersionId,
    string? Filename,
    string Disposition,
    string? ContentType,
    string Mode,
    string State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? NotBefore,
    DateTimeOffset? ExpiresAt,
    long? MaxDownloads,
    long UsedDownloads,
    IReadOnlyList<string> AllowedCidrs,
    long? TrafficLimit,
    bool BindClientIp,
    string? PinnedEtag,
    string? Owner,
    string? Note,
    IReadOnlyList<string> Tags,
    long Downloads,
    long Bytes);

/// <summary>
/// Body of <c>PATCH /api/v1/links/{code}</c>, a JSON merge patch (RFC 7396): a member left out keeps
/// its value, a member set to null removes it (disposition and mode return to attachment and proxy,
/// bindClientIp to false, tags and allowedCidrs to empty). The target (bucket, key, versionId, code,
/// pinned ETag) cannot change: that would be another link. Each setter records that its member was
/// present, which is how "absent" and "null" stay apart.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class PatchLinkRequest
{
    private readonly HashSet<string> _present = new(StringComparer.Ordinal);

    /// <summary>The members the patch carried, by their JSON (and link-hash) names.</summary>
    [JsonIgnore]
    public IReadOnlySet<string> Present => _present;

    /// <summary>Downloads from this instant on get 410; null removes the expiry.</summary>
    public DateTimeOffset? ExpiresAt { get; set { field = value; _present.Add(LinkHash.ExpiresAt); } }

    /// <summary>Downloads before this instant get 410; null removes it.</summary>
    public DateTimeOffset? NotBefore { get; set { field = value; _present.Add(LinkHash.NotBefore); } }

    /// <summary>Download sessions the link serves in all; null removes the limit. Sessions already counted stay counted.</summary>
    public long? MaxDownloads { get; set { field = value; _present.Add(LinkHash.MaxDownloads); } }

    public string? Filename { get; set { field = value; _present.Add(LinkHash.Filename); } }

    /// <summary><c>attachment</c> or <c>inline</c>.</summary>
    public string? Disposition { get; set { field = value; _present.Add(LinkHash.Disposition); } }

    public string? ContentType { get; set { field = value; _present.Add(LinkHash.ContentType); } }

    /// <summary><c>proxy</c> or <c>redirect</c>.</summary>
    public string? Mode { get; set { field = value; _present.Add(LinkHash.Mode); } }

    /// <summary>Replaces the whole list.</summary>
    public List<string>? AllowedCidrs { get; set { field = value; _present.Add(LinkHash.AllowedCidrs); } }

    public long? TrafficLimit { get; set { field = value; _present.Add(LinkHash.TrafficLimit); } }

    public bool? BindClientIp { get; set { field = value; _present.Add(LinkHash.BindClientIp); } }

    /// <summary>Replaces the whole list.</summary>
    public List<string>? Tags { get; set { field = value; _present.Add(LinkHash.Tags); } }

    public string? Note { get; set { field = value; _present.Add(LinkHash.Note); } }
}

/// <summary>One page of <c>GET /api/v1/links</c>, newest first. <c>nextCursor</c> is null at the end of the list.</summary>
internal sealed record LinkListResponse(IReadOnlyList<LinkResponse> Items, string? NextCursor);

[JsonSerializable(typeof(CreateLinkRequest))]
[JsonSerializable(typeof(PatchLinkRequest))]
[JsonSerializable(typeof(LinkResponse))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
