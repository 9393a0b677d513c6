using System.Text.Json;
using System.Text.Json.Serialization;

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

[JsonSerializable(typeof(CreateLinkRequest))]
[JsonSerializable(typeof(LinkResponse))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
