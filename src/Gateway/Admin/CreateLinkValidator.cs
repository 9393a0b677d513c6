using System.Text;
using System.Text.RegularExpressions;
using Gateway.Buckets;
using Gateway.Links;
using Microsoft.Net.Http.Headers;

namespace Gateway.Admin;

/// <summary>Checks a create request (and the link an update would make) field by field; every error names its field.</summary>
internal static partial class CreateLinkValidator
{
    public const int MaxKeyBytes = 1023;
    public const int MaxTags = 20;
    public const int MaxNoteLength = 1024;
    public const int MaxFilenameLength = 255;

    /// <summary>Throws on lone surrogates instead of silently writing U+FFFD, which would name another object.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public const long MinTrafficLimit = 819_200;
    public const long MaxTrafficLimit = 838_860_800;
    public const long MaxDownloadLimit = 1_000_000_000;
    public const int MaxAllowedCidrs = 64;

    public static Dictionary<string, string[]> Validate(CreateLinkRequest request, BucketRegistry buckets, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(request.Bucket))
        {
            errors["bucket"] = ["Required: the alias of a configured bucket."];
        }
        else if (!buckets.TryGet(request.Bucket, out _))
        {
            errors["bucket"] = [$"Unknown bucket alias. Configured: {string.Join(", ", buckets.Aliases)}."];
        }

        if (KeyError(request.Key) is { } keyError)
        {
            errors["key"] = [keyError];
        }

        if (request.VersionId is { } versionId && (versionId.Length is 0 or > 256 || HasControlCharacter(versionId)))
        {
            errors["versionId"] = ["Must be 1-256 characters without control characters."];
        }

        if (request.Code is { } code)
        {
            if (!VanityCodePattern().IsMatch(code))
            {
                errors["code"] = [$"Must match [A-Za-z0-9_-]{{{LinkCode.MinLength},{LinkCode.MaxLength}}}."];
            }
            else if (LinkCode.IsReserved(code))
            {
                errors["code"] = ["This code is reserved by the gateway."];
            }
        }

        ValidateSettings(request, now, errors);
        return errors;
    }

    /// <summary>
    /// Everything about a link except its target and code: presentation, delivery, policy, tags and
    /// note. Create checks these as sent; update checks the link as it would be after the change.
    /// </summary>
    public static void ValidateSettings(CreateLinkRequest request, DateTimeOffset now, Dictionary<string, string[]> errors)
    {
        if (request.Filename is { } filename && (filename.Length is 0 or > MaxFilenameLength || HasControlCharacter(filename) || filename.AsSpan().IndexOfAny('/', '\\') >= 0))
        {
            errors["filename"] = [$"Must be 1-{MaxFilenameLength} characters, without '/', '\\' or control characters."];
        }

        if (request.Disposition is not (null or "attachment" or "inline"))
        {
            errors["disposition"] = ["Must be 'attachment' or 'inline'."];
        }

        if (request.ContentType is { } contentType && (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType) || mediaType.MatchesAllTypes || mediaType.MatchesAllSubTypes))
        {
            errors["contentType"] = ["Must be a media type such as 'application/pdf'."];
        }

        if (request.Mode is not (null or "proxy" or "redirect"))
        {
            errors["mode"] = ["Must be 'proxy' or 'redirect'."];
        }

        if (request.BindClientIp == true && request.Mode != "redirect")
        {
            errors["bindClientIp"] = ["Only redirect-mode links bind their URLs to the client's IP (proxy mode can use allowedCidrs)."];
        }

        ValidatePolicy(request.NotBefore, request.ExpiresAt, request.MaxDownloads, request.AllowedCidrs, request.TrafficLimit, now, errors);

        ValidateTags(request.Tags, errors);
        if (request.Note is { Length: > MaxNoteLength })
        {
            errors["note"] = [$"At most {MaxNoteLength} characters."];
        }
    }

    /// <summary>OSS's key rules (1-1023 UTF-8 bytes, no leading '/' or '\'); control characters are refused too.</summary>
    public static string? KeyError(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "Required: the object key.";
        }

        if (key[0] is '/' or '\\')
        {
            return "Must not start with '/' or '\\'.";
        }

        if (HasControlCharacter(key))
        {
            return "Must not contain control characters.";
        }

        try
        {
            if (StrictUtf8.GetByteCount(key) > MaxKeyBytes)
            {
                return $"Must be at most {MaxKeyBytes} bytes in UTF-8.";
            }
        }
        catch (EncoderFallbackException)
        {
            return "Must be valid Unicode text.";
        }

        return null;
    }

    /// <summary>The policy fields shared by create and update.</summary>
    public static void ValidatePolicy(
        DateTimeOffset? notBefore, DateTimeOffset? expiresAt, long? maxDownloads, List<string>? allowedCidrs, long? trafficLimit, DateTimeOffset now, Dictionary<string, string[]> errors)
    {
        if (expiresAt is { } expires && expires <= now)
        {
            errors["expiresAt"] = ["Must be in the future."];
        }

        if (notBefore is { } opens && expiresAt is { } closes && opens >= closes)
        {
            errors["notBefore"] = ["Must be before expiresAt."];
        }

        if (maxDownloads is < 1 or > MaxDownloadLimit)
        {
            errors["maxDownloads"] = [$"Must be between 1 and {MaxDownloadLimit}."];
        }

        if (trafficLimit is < MinTrafficLimit or > MaxTrafficLimit)
        {
            errors["trafficLimit"] = [$"Must be between {MinTrafficLimit} and {MaxTrafficLimit} bit/s (OSS's range: 100 KB/s to 100 MB/s)."];
        }

        if (allowedCidrs is null)
        {
            return;
        }

        if (allowedCidrs.Count > MaxAllowedCidrs)
        {
            errors["allowedCidrs"] = [$"At most {MaxAllowedCidrs} networks."];
            return;
        }

        for (var i = 0; i < allowedCidrs.Count; i++)
        {
            if (!Downloads.ClientAddress.TryParseNetwork(allowedCidrs[i], out _))
            {
                errors[$"allowedCidrs[{i}]"] = ["Must be an IPv4 or IPv6 address or CIDR network, e.g. 203.0.113.0/24 or 2001:db8::/32."];
            }
        }
    }

    private static void ValidateTags(List<string>? tags, Dictionary<string, string[]> errors)
    {
        if (tags is null)
        {
            return;
        }

        if (tags.Count > MaxTags)
        {
            errors["tags"] = [$"At most {MaxTags} tags."];
            return;
        }

        for (var i = 0; i < tags.Count; i++)
        {
            if (tags[i] is null || !TagPattern().IsMatch(tags[i]))
            {
                errors[$"tags[{i}]"] = ["Must match [A-Za-z0-9_.:-]{1,64}."];
            }
        }
    }

    public static bool HasControlCharacter(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    // Every pattern here and in the other validators ends in \z, never $: $ also matches before a final "\n", which let
    // vanity code "abc\n" through, a link the download path could never find again (found by LinkCodeProperties).
    [GeneratedRegex("^[A-Za-z0-9_-]{3,64}\\z")]
    private static partial Regex VanityCodePattern();

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,64}\\z")]
    private static partial Regex TagPattern();
}
