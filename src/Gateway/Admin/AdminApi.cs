using System.Security.Claims;
using System.Text.Json;
using Gateway.Buckets;
using Gateway.Hosting;
using Gateway.Links;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Admin;

/// <summary>The admin API under <c>/api/v1</c>: create, read, revoke, restore and delete links.</summary>
internal static class AdminApi
{
    private const int MaxCodeAttempts = 5;

    public static WebApplicationBuilder AddAdminApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<ApiKeyRegistry>();
        services.AddProblemDetails();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiScopes.LinksRead, policy => policy.RequireClaim(ApiScopes.ClaimType, ApiScopes.LinksRead))
            .AddPolicy(ApiScopes.LinksWrite, policy => policy.RequireClaim(ApiScopes.ClaimType, ApiScopes.LinksWrite))
            .AddPolicy(ApiScopes.StatsRead, policy => policy.RequireClaim(ApiScopes.ClaimType, ApiScopes.StatsRead))
            .AddPolicy(ApiScopes.Presign, policy => policy.RequireClaim(ApiScopes.ClaimType, ApiScopes.Presign));
        services.AddOpenApi();
        return builder;
    }

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Links");
        api.AddEndpointFilter(static async (context, next) =>
        {
            // Answers of the admin API describe live state; no cache may keep them.
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            return await next(context).ConfigureAwait(false);
        });

        var links = api.MapGroup("/links");
        links.MapPost("", CreateAsync).RequireAuthorization(ApiScopes.LinksWrite);
        links.MapGet("/{code}", GetAsync).RequireAuthorization(ApiScopes.LinksRead);
        links.MapPost("/{code}/revoke", (string code, HttpContext context, ILinkStore store, TimeProvider time, IOptions<GatewayOptions> options) =>
            SetStateAsync(code, LinkState.Revoked, context, store, time, options)).RequireAuthorization(ApiScopes.LinksWrite);
        links.MapPost("/{code}/restore", (string code, HttpContext context, ILinkStore store, TimeProvider time, IOptions<GatewayOptions> options) =>
            SetStateAsync(code, LinkState.Active, context, store, time, options)).RequireAuthorization(ApiScopes.LinksWrite);
        links.MapDelete("/{code}", DeleteAsync).RequireAuthorization(ApiScopes.LinksWrite);
        app.MapOpenApi();
        return app;
    }

    private static async Task<Results<Created<LinkResponse>, ValidationProblem, Conflict<ProblemDetails>, ProblemHttpResult>> CreateAsync(
        HttpContext context, ILinkStore store, BucketRegistry buckets, ObjectProbe probe, TimeProvider time, IOptions<GatewayOptions> options)
    {
        CreateLinkRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync(AdminJsonContext.Default.CreateLinkRequest, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [JsonFieldName(ex.Path)] = [ex.Message.Split(" Path:")[0]] },
                title: "The request body is not valid JSON for a link.");
        }
        catch (InvalidOperationException)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Send the link as JSON with Content-Type: application/json."] });
        }

        if (request is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["A JSON object is required."] });
        }

        var now = time.GetUtcNow();
        var errors = CreateLinkValidator.Validate(request, buckets, now);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The link is not valid.");
        }

        string? pinnedETag = null;
        if (request.PinEtag == true)
        {
            buckets.TryGet(request.Bucket!, out var bucket);
            var probed = await probe.HeadAsync(bucket!, request.Key!, request.VersionId, context.RequestAborted).ConfigureAwait(false);
            if (probed.Status != System.Net.HttpStatusCode.OK || probed.ETag is null)
            {
                return TypedResults.ValidationProblem(
                    new Dictionary<string, string[]> { ["pinEtag"] = [$"The object could not be read to pin its ETag (storage answered {(int)probed.Status})."] },
                    title: "The link is not valid.");
            }

            pinnedETag = probed.ETag;
        }

        var link = new Link
        {
            Code = request.Code ?? LinkCode.NewRandom(),
            Bucket = request.Bucket!,
            Key = request.Key!,
            VersionId = request.VersionId,
            Filename = request.Filename,
            Disposition = request.Disposition == "inline" ? ContentDispositionType.Inline : ContentDispositionType.Attachment,
            ContentType = request.ContentType,
            Mode = request.Mode == "redirect" ? DeliveryMode.Redirect : DeliveryMode.Proxy,
            NotBefore = request.NotBefore,
            ExpiresAt = request.ExpiresAt,
            MaxDownloads = request.MaxDownloads,
            AllowedCidrs = request.AllowedCidrs ?? [],
            TrafficLimit = request.TrafficLimit,
            BindClientIp = request.BindClientIp == true,
            PinnedETag = pinnedETag,
            CreatedAt = now,
            Owner = context.User.FindFirstValue(ClaimTypes.Name),
            Note = request.Note,
            Tags = request.Tags ?? [],
        };

        try
        {
            var attempts = 0;
            while (!await store.TryCreateAsync(link).ConfigureAwait(false))
            {
                if (request.Code is not null)
                {
                    return TypedResults.Conflict(new ProblemDetails { Status = 409, Title = "Code taken", Detail = $"The code '{request.Code}' is already in use." });
                }

                // 59 random bits collide about never; retrying a few times makes "about" certain.
                if (++attempts == MaxCodeAttempts)
                {
                    return TypedResults.Problem("Could not allocate a free code.", statusCode: StatusCodes.Status500InternalServerError);
                }

                link = link with { Code = LinkCode.NewRandom() };
            }
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return StoreUnavailable(context);
        }

        var response = ToResponse(link, default, context, options.Value, now);
        return TypedResults.Created($"/api/v1/links/{link.Code}", response);
    }

    private static async Task<Results<Ok<LinkResponse>, NotFound<ProblemDetails>, ProblemHttpResult>> GetAsync(
        string code, HttpContext context, ILinkStore store, TimeProvider time, IOptions<GatewayOptions> options)
    {
        try
        {
            var link = await store.GetAsync(code).ConfigureAwait(false);
            if (link is null)
            {
                return LinkNotFound(code);
            }

            var counters = await store.GetCountersAsync(code).ConfigureAwait(false);
            return TypedResults.Ok(ToResponse(link, counters, context, options.Value, time.GetUtcNow()));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return StoreUnavailable(context);
        }
    }

    private static async Task<Results<Ok<LinkResponse>, NotFound<ProblemDetails>, ProblemHttpResult>> SetStateAsync(
        string code, LinkState state, HttpContext context, ILinkStore store, TimeProvider time, IOptions<GatewayOptions> options)
    {
        try
        {
            if (!await store.SetStateAsync(code, state).ConfigureAwait(false))
            {
                return LinkNotFound(code);
            }

            var link = await store.GetAsync(code).ConfigureAwait(false);
            if (link is null)
            {
                return LinkNotFound(code);
            }

            var counters = await store.GetCountersAsync(code).ConfigureAwait(false);
            return TypedResults.Ok(ToResponse(link, counters, context, options.Value, time.GetUtcNow()));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return StoreUnavailable(context);
        }
    }

    private static async Task<Results<NoContent, NotFound<ProblemDetails>, ProblemHttpResult>> DeleteAsync(string code, HttpContext context, ILinkStore store)
    {
        try
        {
            return await store.DeleteAsync(code).ConfigureAwait(false) ? TypedResults.NoContent() : LinkNotFound(code);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return StoreUnavailable(context);
        }
    }

    private static LinkResponse ToResponse(Link link, LinkCounters counters, HttpContext context, GatewayOptions options, DateTimeOffset now) => new(
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

    private static string PublicUrl(string code, HttpContext context, GatewayOptions options)
    {
        if (options.PublicBaseUrl is { } baseUrl)
        {
            return baseUrl.OriginalString.TrimEnd('/') + "/" + code;
        }

        var request = context.Request;
        return $"{request.Scheme}://{request.Host}{request.PathBase}/{code}";
    }

    private static NotFound<ProblemDetails> LinkNotFound(string code) =>
        TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "Link not found", Detail = $"No link has the code '{code}'." });

    private static ProblemHttpResult StoreUnavailable(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "5";
        return TypedResults.Problem("The link store is unreachable; try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Link store unavailable");
    }

    private static string JsonFieldName(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');
}
