using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gateway.Hosting;
using Gateway.Links;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Admin;

/// <summary>The answers and body reading every admin endpoint shares, so they look the same everywhere.</summary>
internal static class AdminResults
{
    /// <summary>Also the answer for links outside the caller's data scope, so a key cannot tell them from codes nobody uses.</summary>
    public static ProblemHttpResult LinkNotFound(string code) =>
        TypedResults.Problem(new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "Link not found", Detail = $"No link has the code '{code}'." });

    public static ProblemHttpResult Conflict(string title, string detail) =>
        TypedResults.Problem(new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = title, Detail = detail });

    public static ProblemHttpResult StoreUnavailable(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "5";
        return TypedResults.Problem("The link store is unreachable; try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Link store unavailable");
    }

    /// <summary>403 naming the fields that go beyond the API key's data scope (bucket, key prefix, lifetime, download limit).</summary>
    /// <summary>The bucket has no usable credentials right now (temporary ones not fetched yet, or expired while refreshing fails).</summary>
    public static ProblemHttpResult CredentialsUnavailable(HttpContext context, string bucket)
    {
        context.Response.Headers.RetryAfter = "10";
        return TypedResults.Problem($"Bucket '{bucket}' has no usable credentials right now; try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Storage credentials unavailable");
    }

    public static ProblemHttpResult OutsideKeyScope(Dictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status403Forbidden,
            Title = "Outside this API key's limits",
            Detail = "The API key is restricted to certain buckets, key prefixes, lifetimes or download limits.",
        });

    public static ValidationProblem Invalid(string field, string message, string? title = null) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: title);

    /// <summary>
    /// The filter of every admin group: answers describe live state, so no cache may keep them; and a body that
    /// Kestrel refuses while the endpoint reads it (over the 1 MiB limit: 413; cut short: 400) is answered as a
    /// problem rather than escaping as an unhandled exception, which Kestrel logs at Error (found by HttpFuzzTests).
    /// </summary>
    public static async ValueTask<object?> AdminFilter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        context.HttpContext.Response.Headers.CacheControl = "no-store";
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (!context.HttpContext.Response.HasStarted)
        {
            return TypedResults.Problem(
                ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is larger than the admin API accepts (1 MiB)." : "The request body could not be read.",
                statusCode: ex.StatusCode,
                title: "The request body was refused.");
        }
    }

    /// <summary>Reads a JSON body; on failure the problem says which field (or the body) is wrong.</summary>
    public static async Task<(T? Value, ValidationProblem? Problem)> ReadJsonAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo, string what)
        where T : class
    {
        T? value;
        try
        {
            value = await context.Request.ReadFromJsonAsync(typeInfo, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return (null, Invalid(JsonFieldName(ex.Path), ex.Message.Split(" Path:")[0], $"The request body is not valid JSON for {what}."));
        }
        catch (InvalidOperationException)
        {
            return (null, Invalid("body", "Send JSON with Content-Type: application/json."));
        }

        return value is null ? (null, Invalid("body", "A JSON object is required.")) : (value, null);
    }

    public static string JsonFieldName(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');

    public static LinkResponse ToResponse(Link link, LinkCounters counters, HttpContext context, GatewayOptions options, DateTimeOffset now) => new(
        link.Code,
        PublicUrl(link.Code, context, options),
        link.Bucket,
        link.Key,
        link.VersionId,
        link.Filename,
        LinkHash.Format(link.Disposition),
        link.ContentType,
        LinkHash.Format(link.Mode),
        EffectiveState.Of(link, now),
        link.CreatedAt,
        link.NotBefore,
        link.ExpiresAt,
        link.MaxDownloads,
        link.UsedDownloads,
        link.AllowedCidrs,
        link.TrafficLimit,
        link.BindClientIp,
        link.PinnedETag,
        link.Owner,
        link.Note,
        link.Tags,
        counters.Downloads,
        counters.Bytes);

    public static string PublicUrl(string code, HttpContext context, GatewayOptions options)
    {
        if (options.PublicBaseUrl is { } baseUrl)
        {
            return baseUrl.OriginalString.TrimEnd('/') + "/" + code;
        }

        var request = context.Request;
        return $"{request.Scheme}://{request.Host}{request.PathBase}/{code}";
    }
}
