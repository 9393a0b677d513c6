using Gateway.Abuse;
using Microsoft.Net.Http.Headers;

namespace Gateway.Downloads;

/// <summary>
/// The gateway's own answers on the download path: short plain text that says what happened in
/// words a person understands, never internals, and never cached (a revoked link must not live on
/// in a cache).
/// </summary>
internal static class DownloadResponses
{
    /// <summary>Writes the answer; a 404 or 410 is first counted against the client's allowance (and may become a 429).</summary>
    public static Task WriteAsync(HttpContext context, int statusCode, string message) =>
        statusCode is StatusCodes.Status404NotFound or StatusCodes.Status410Gone
            ? WriteMissAsync(context, statusCode, message)
            : WriteAnswerAsync(context, statusCode, message);

    public static Task Deny(HttpContext context, PolicyDenial denial) => WriteAsync(context, denial.StatusCode, denial.Message);

    public static Task NotFound(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status404NotFound, "No download exists at this address.");

    public static Task StoreUnavailable(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "5";
        return WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Downloads are briefly unavailable. Please try again in a few seconds.");
    }

    private static async Task WriteMissAsync(HttpContext context, int statusCode, string message)
    {
        if (!await AbuseLimits.RefusedAsMissAsync(context).ConfigureAwait(false))
        {
            await WriteAnswerAsync(context, statusCode, message).ConfigureAwait(false);
        }
    }

    private static Task WriteAnswerAsync(HttpContext context, int statusCode, string message)
    {
        var response = context.Response;
        response.StatusCode = statusCode;
        response.Headers.CacheControl = "no-store";
        response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        response.ContentType = "text/plain; charset=utf-8";
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.WriteAsync(message + "\n", context.RequestAborted);
    }
}
