using Gateway.Hosting;
using Gateway.Links;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using QRCoder;
using StackExchange.Redis;

namespace Gateway.Admin;

/// <summary>
/// <c>GET /api/v1/links/{code}/qr.svg</c>: the link's short URL as a QR code, an SVG drawn here (QRCoder)
/// so that neither the console nor any other client needs a QR library. Authorized like reading the
/// link: scope <c>links:read</c>, and a link outside the key's data scope is a 404 like a missing one.
/// </summary>
internal static class LinkQrCode
{
    public const string ContentType = "image/svg+xml";

    /// <summary>Pixels per module of the drawing's own size; it scales freely (viewBox).</summary>
    private const int PixelsPerModule = 8;

    public static RouteHandlerBuilder MapLinkQrCode(this RouteGroupBuilder links) =>
        links.MapGet("/{code}/qr.svg", GetAsync)
            .RequireAuthorization(ApiScopes.LinksRead)
            .WithName("GetLinkQrCode")
            .WithSummary("The link's short URL as a QR code (SVG)")
            .WithDescription("Error correction level M, with the quiet zone; the drawing scales to any size (viewBox). Scope links:read.")
            .Produces<string>(StatusCodes.Status200OK, ContentType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetAsync(
        string code, HttpContext context, ILinkStore store, ApiKeyRegistry keys, IOptions<GatewayOptions> options)
    {
        Link? link;
        try
        {
            link = LinkCode.IsWellFormed(code) ? await store.GetAsync(code).ConfigureAwait(false) : null;
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return AdminResults.StoreUnavailable(context);
        }

        if (link is null || !keys.ScopeOf(context.User).Covers(link.Bucket, link.Key))
        {
            return AdminResults.LinkNotFound(code);
        }

        // An SVG opened on its own is a document: it may run nothing and load nothing, whatever it holds.
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; sandbox";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.Content(Draw(AdminResults.PublicUrl(link.Code, context, options.Value)), ContentType);
    }

    /// <summary>The SVG of a QR code that encodes <paramref name="text"/>.</summary>
    public static string Draw(string text)
    {
        using var data = QRCodeGenerator.GenerateQrCode(text, QRCodeGenerator.ECCLevel.M);
        using var svg = new SvgQRCode(data);
        return svg.GetGraphic(PixelsPerModule, "#000000", "#ffffff", drawQuietZones: true, sizingMode: SvgQRCode.SizingMode.ViewBoxAttribute);
    }
}
