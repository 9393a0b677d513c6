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
    public static Task WriteAsync(HttpContext context, int statusCode, string message)
    {
        if ((statusCode is StatusCodes.Status404NotFound or StatusCodes.Status410Gone) && context.Features.Get<MissGate>() is { Counted: false } gate)
        {
            return WriteMissAsync(context, gate, statusCode, message);
        }

        var response = context.Response;
        response.StatusCode = statusCode;
        response.Headers.CacheControl = "no-store";
        response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        response.ContentType = "text/plain; charset=utf-8";
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.WriteAsync(message + "\n", context.RequestAborted);
    }

    public static Task Deny(HttpContext context, PolicyDenial denial) => WriteAsync(context, denial.StatusCode, denial.Message);

    public static Task NotFound(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status404NotFound, "No download exists at this address.");

    public static Task StoreUnavailable(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "5";
        return WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Downloads are briefly unavailable. Please try again in a few seconds.");
    }

    /// <summary>A 404 or 410 is counted against the client's allowance before it goes out; over the limit, it is a 429.</summary>
    private static async Task WriteMissAsync(HttpContext context, MissGate gate, int statusCode, string message)
    {
        if (await gate.CountAsync().ConfigureAwait(false) is { } retryAfter)
        {
            await AbuseLimits.WriteTooManyAsync(context, retryAfter).ConfigureAwait(false);
            return;
        }

        await WriteAsync(context, statusCode, message).ConfigureAwait(false);
    }
}
