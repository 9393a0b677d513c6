namespace Gateway.Links;

/// <summary>
/// A link's state as a downloader would experience it right now: the stored state (active or
/// revoked) refined by its validity window and download limit. The admin API shows and filters on it.
/// </summary>
internal static class EffectiveState
{
    public const string Active = "active";
    public const string Revoked = "revoked";
    public const string Expired = "expired";
    public const string Exhausted = "exhausted";
    public const string Scheduled = "scheduled";

    public static readonly string[] All = [Active, Revoked, Expired, Exhausted, Scheduled];

    public static string Of(Link link, DateTimeOffset now) => link switch
    {
        { State: LinkState.Revoked } => Revoked,
        { ExpiresAt: { } expiresAt } when now >= expiresAt => Expired,
        { MaxDownloads: { } max } when link.UsedDownloads >= max => Exhausted,
        { NotBefore: { } notBefore } when now < notBefore => Scheduled,
        _ => Active,
    };
}
