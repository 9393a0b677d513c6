using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Gateway.Links;

namespace Gateway.Admin;

/// <summary>
/// The opaque cursors and page sizes of the list endpoints. A cursor names the last entry a page
/// covered (by value, not by offset), so inserts and deletes elsewhere neither repeat nor skip entries.
/// Callers must treat cursors as opaque; the encoding may change.
/// </summary>
internal static class PageCursor
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    private const string LinkPrefix = "l:";
    private const string AuditPrefix = "a:";

    public static string ForLink(LinkIndexPosition position) =>
        Encode(string.Create(CultureInfo.InvariantCulture, $"{LinkPrefix}{position.CreatedAt}:{position.Code}"));

    public static string ForAudit(long id) => Encode(string.Create(CultureInfo.InvariantCulture, $"{AuditPrefix}{id}"));

    public static bool TryParseLink(string text, out LinkIndexPosition position)
    {
        position = default;
        if (Decode(text) is not { } decoded || !decoded.StartsWith(LinkPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = decoded.AsSpan(LinkPrefix.Length);
        var colon = rest.IndexOf(':');
        if (colon <= 0
            || !long.TryParse(rest[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var createdAt)
            || !LinkCode.IsWellFormed(rest[(colon + 1)..]))
        {
            return false;
        }

        position = new LinkIndexPosition(createdAt, rest[(colon + 1)..].ToString());
        return true;
    }

    public static bool TryParseAudit(string text, out long id)
    {
        id = 0;
        return Decode(text) is { } decoded
            && decoded.StartsWith(AuditPrefix, StringComparison.Ordinal)
            && long.TryParse(decoded.AsSpan(AuditPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out id)
            && id > 0;
    }

    /// <summary>The <c>limit</c> query parameter: default <see cref="DefaultLimit"/>, 1 to <see cref="MaxLimit"/>.</summary>
    public static bool TryParseLimit(string? text, out int limit, Dictionary<string, string[]> errors)
    {
        limit = DefaultLimit;
        if (text is null)
        {
            return true;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"Must be a whole number from 1 to {MaxLimit}."];
            return false;
        }

        return true;
    }

    private static string Encode(string value) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(value));

    private static string? Decode(string text)
    {
        if (text.Length is 0 or > 256)
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
