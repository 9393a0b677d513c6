using System.Globalization;
using Gateway.Buckets;
using Gateway.Hosting;
using Gateway.Links;
using Gateway.Oss;
using Microsoft.Extensions.Options;

namespace Gateway.Downloads;

/// <summary>
/// Redirect mode: a 302 to a V4 URL presigned for seconds, made at the click, so the link stays
/// revocable (every click is checked) while OSS carries the bytes. The URL carries what proxy mode
/// would have applied: version, presentation overrides, traffic limit, and optionally the client's IP.
/// </summary>
internal sealed class RedirectResponder(IOptions<GatewayOptions> options)
{
    public void Respond(HttpContext context, Link link, OssBucket bucket)
    {
        var query = new List<KeyValuePair<string, string>>(6);
        if (link.VersionId is { } versionId)
        {
            query.Add(new("versionId", versionId));
        }

        query.Add(new("response-content-disposition", ContentDisposition.For(link)));
        if (link.ContentType is { } contentType)
        {
            query.Add(new("response-content-type", contentType));
        }

        if (link.TrafficLimit is { } trafficLimit)
        {
            query.Add(new("x-oss-traffic-limit", trafficLimit.ToString(CultureInfo.InvariantCulture)));
        }

        if (link.BindClientIp)
        {
            var client = ClientAddress.Of(context);
            query.Add(new("x-oss-ac-source-ip", client.ToString()));
            query.Add(new("x-oss-ac-subnet-mask", client.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? "32" : "128"));
        }

        // The method is signed: a HEAD needs a URL presigned for HEAD.
        var presigned = bucket.Signer.Presign(new OssPresignOptions
        {
            Method = HttpMethods.IsHead(context.Request.Method) ? "HEAD" : "GET",
            Key = link.Key,
            Expires = options.Value.Downloads.RedirectLifetime,
            Query = query,
        });

        var response = context.Response;
        response.StatusCode = StatusCodes.Status302Found;
        response.Headers.Location = presigned.Url.OriginalString;
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }
}
