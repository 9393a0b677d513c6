using System.Net;
using Gateway.Links;

namespace Gateway.Downloads;

/// <summary>Why a link may not be downloaded right now, in words for the person who clicked it.</summary>
internal readonly record struct PolicyDenial(int StatusCode, string Message);

/// <summary>The checks that need nothing but the link, the clock and the client's address.</summary>
internal static class LinkPolicy
{
    public static readonly PolicyDenial Revoked = new(StatusCodes.Status410Gone, "This link has been revoked by its owner.");
    public static readonly PolicyDenial Expired = new(StatusCodes.Status410Gone, "This link has expired.");
    public static readonly PolicyDenial Exhausted = new(StatusCodes.Status410Gone, "This link has reached its download limit.");
    public static readonly PolicyDenial Changed = new(StatusCodes.Status410Gone, "The file behind this link has changed since the link was created.");
    public static readonly PolicyDenial NetworkNotAllowed = new(StatusCodes.Status403Forbidden, "This link cannot be downloaded from your network.");

    /// <summary>Null when the link may be served; otherwise the answer. Limits are checked later, atomically, by <see cref="DownloadLimiter"/>.</summary>
    public static PolicyDenial? Check(Link link, DateTimeOffset now, IPAddress client)
    {
        if (link.State == LinkState.Revoked)
        {
            return Revoked;
        }

        if (link.NotBefore is { } notBefore && now < notBefore)
        {
            return new PolicyDenial(StatusCodes.Status410Gone, $"This link is not available yet. It opens at {notBefore.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC.");
        }

        if (link.ExpiresAt is { } expiresAt && now >= expiresAt)
        {
            return Expired;
        }

        if (link.AllowedCidrs.Count > 0 && !ClientAddress.IsInAny(client, link.AllowedCidrs))
        {
            return NetworkNotAllowed;
        }

        return null;
    }

    /// <summary>True when the limit is already used up (the atomic check happens when counting; this is for requests that never count).</summary>
    public static bool IsExhausted(Link link) => link.MaxDownloads is { } max && link.UsedDownloads >= max;
}
