using System.Text.Json.Nodes;
using Gateway.Admin;
using Gateway.Buckets;
using Gateway.Oss;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Presign;

/// <summary>
/// <c>POST /api/v1/presign</c> (scope <c>presign</c>): a raw OSS V4 presigned URL, for the cases a short
/// link does not fit (uploads, deletes, handing a URL to a system that talks to OSS directly). Such a
/// URL cannot be revoked: only the API key's data scope and its lifetime bound it. The action is
/// audited with its parameters; the URL and its signature are neither stored nor logged.
/// </summary>
internal static class PresignApi
{
    public static RouteGroupBuilder MapPresign(this RouteGroupBuilder api)
    {
        api.MapPost("/presign", PresignAsync)
            .WithTags("Presign")
            .RequireAuthorization(ApiScopes.Presign)
            .DocumentBody<PresignRequest>("application/json")
            .WithName("Presign")
            .WithSummary("A raw OSS V4 presigned URL, as the OSS SDKs' sign_url makes it")
            .WithDescription("Methods GET, HEAD, PUT, DELETE; expires 1-604800 seconds (default 900). The answer lists the headers " +
                "the user of the URL must send with exactly the given values. The URL cannot be revoked. Scope presign.")
            .ProducesValidationProblem();
        return api;
    }

    private static async Task<Results<Ok<PresignResponse>, ValidationProblem, ProblemHttpResult>> PresignAsync(
        HttpContext context, BucketRegistry buckets, ApiKeyRegistry keys, AuditLog audit)
    {
        var (request, invalid) = await AdminResults.ReadJsonAsync(context, PresignJsonContext.Default.PresignRequest, "a presign request").ConfigureAwait(false);
        if (invalid is not null)
        {
            return invalid;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var plan = PresignValidator.Validate(request!, buckets, errors);
        if (plan is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The presign request is not valid.");
        }

        var scope = keys.ScopeOf(context.User);
        scope.CheckTarget(plan.Bucket.Alias, plan.Options.Key, errors);
        scope.CheckPresignLifetime(plan.Options.Expires, errors);
        if (errors.Count > 0)
        {
            return AdminResults.OutsideKeyScope(errors);
        }

        OssPresignedRequest? presigned;
        string? failure;
        try
        {
            presigned = Sign(plan, out failure);
        }
        catch (OssCredentialsUnavailableException)
        {
            return AdminResults.CredentialsUnavailable(context, plan.Bucket.Alias);
        }

        if (presigned is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["headers"] = [failure!] }, title: "The presign request is not valid.");
        }

        await audit.RecordAsync(context.User, AuditActions.Presign, null, plan.Bucket.Alias, plan.Options.Key, Describe(plan.Options)).ConfigureAwait(false);
        return TypedResults.Ok(ToResponse(presigned));
    }

    /// <summary>Signs the plan; the signer's own checks (e.g. of header names) come back as a message.</summary>
    public static OssPresignedRequest? Sign(PresignPlan plan, out string? failure)
    {
        try
        {
            failure = null;
            return plan.Bucket.Signer.Presign(plan.Options);
        }
        catch (ArgumentException ex)
        {
            failure = ex.Message;
            return null;
        }
    }

    public static PresignResponse ToResponse(OssPresignedRequest presigned)
    {
        var headers = new Dictionary<string, string>(presigned.SignedHeaders.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in presigned.SignedHeaders)
        {
            headers[name] = value;
        }

        return new PresignResponse(presigned.Url.OriginalString, presigned.Method, presigned.Expiration, headers);
    }

    /// <summary>What the audit keeps of a presign: everything that shapes the URL except the URL and its signature.</summary>
    private static JsonObject Describe(OssPresignOptions options)
    {
        var query = new JsonObject();
        foreach (var (name, value) in options.Query)
        {
            query[name] = value;
        }

        var headers = new JsonArray();
        foreach (var (name, _) in options.Headers)
        {
            headers.Add(name);
        }

        return new JsonObject
        {
            ["method"] = options.Method,
            ["expires"] = (long)options.Expires.TotalSeconds,
            ["query"] = query,
            ["signedHeaders"] = headers,
        };
    }
}
