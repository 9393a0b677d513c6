using System.Security.Claims;
using Gateway.Buckets;
using Gateway.Hosting;
using Gateway.Links;
using Gateway.Presign;
using Gateway.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Admin;

/// <summary>
/// The admin API under <c>/api/v1</c>: links (create, read, list, change, revoke, restore, delete),
/// QR codes of short links, the audit log, raw presigned URLs and the calling key's own rights. Every call needs an API key with the call's scope, sees only
/// the data of the key's data scope, and is recorded in the audit log when it changes something.
/// </summary>
internal static class AdminApi
{
    private const int MaxCodeAttempts = 5;

    public static WebApplicationBuilder AddAdminApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<ApiKeyRegistry>();
        services.AddSingleton<AuditLog>();
        services.AddProblemDetails();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiScopes.LinksRead, policy => policy.RequireClaim(ApiScopes.ClaimType, ApiScopes.LinksRead))
            .AddPolicy(ApiScopes.LinksWrite, policy => policy.RequireClaim(ApiScopes.ClaimType, ApiScopes.LinksWrite))
            .AddPolicy(ApiScopes.StatsRead, policy => policy.RequireClaim(ApiScopes.ClaimType, ApiScopes.StatsRead))
            .AddPolicy(ApiScopes.Presign, policy => policy.RequireClaim(ApiScopes.ClaimType, ApiScopes.Presign));
        services.AddAdminRateLimiting();
        services.AddOpenApi(AdminOpenApi.Configure);
        return builder;
    }

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        api.AddEndpointFilter(AdminResults.AdminFilter);

        var links = api.MapGroup("/links").WithTags("Links");
        links.MapPost("", CreateAsync)
            .RequireAuthorization(ApiScopes.LinksWrite)
            .DocumentBody<CreateLinkRequest>("application/json")
            .WithName("CreateLink")
            .WithSummary("Create a short link to an object")
            .WithDescription("201 with the link and its short URL. A vanity code that is taken answers 409. Scope links:write.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        links.MapGet("", LinkListing.ListAsync)
            .RequireAuthorization(ApiScopes.LinksRead)
            .DocumentQuery("cursor", "nextCursor of the previous page, unchanged; absent for the first page.")
            .DocumentQuery("limit", "Links per page.", isPageSize: true)
            .DocumentQuery("bucket", "Only links to this bucket alias.")
            .DocumentQuery("tag", "Only links carrying this tag.")
            .DocumentQuery("state", "Only links in this effective state.", EffectiveState.All)
            .DocumentQuery("q", "Only links whose code, object key or one of whose tags contains this text (ignoring case), at most 256 characters; empty: no filter.")
            .WithName("ListLinks")
            .WithSummary("List links, newest first, a page at a time")
            .WithDescription("Filters: bucket (alias), tag, state (active, revoked, expired, exhausted, scheduled), q (text in the code, key or a tag). limit: 1-500, default 50. " +
                "Pass nextCursor back as cursor for the next page; it is null at the end. A page may hold fewer items than limit " +
                "(even none) while nextCursor is not null: with selective filters one request reads a bounded number of links. Scope links:read.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        links.MapGet("/{code}", GetAsync)
            .RequireAuthorization(ApiScopes.LinksRead)
            .WithName("GetLink")
            .WithSummary("A link, its effective state and its counters")
            .WithDescription("Scope links:read.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        links.MapLinkQrCode();
        links.MapPatch("/{code}", LinkUpdates.PatchAsync)
            .RequireAuthorization(ApiScopes.LinksWrite)
            .DocumentBody<PatchLinkRequest>("application/merge-patch+json", "application/json")
            .WithName("UpdateLink")
            .WithSummary("Change a link's expiry, limits, presentation, mode, network rules, tags or note")
            .WithDescription("A JSON merge patch: absent members stay, null removes a value. The download count is kept. " +
                "409 when the link kept changing under concurrent updates. Scope links:write.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        links.MapPost("/{code}/revoke", (string code, HttpContext context, ILinkStore store, AuditLog audit, ApiKeyRegistry keys, IWebhookPublisher webhooks, TimeProvider time, IOptions<GatewayOptions> options) =>
                SetStateAsync(code, LinkState.Revoked, context, store, audit, keys, webhooks, time, options))
            .RequireAuthorization(ApiScopes.LinksWrite)
            .WithName("RevokeLink")
            .WithSummary("Revoke a link: downloads get 410 from the next request on, and those under way are stopped")
            .WithDescription("Scope links:write.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        links.MapPost("/{code}/restore", (string code, HttpContext context, ILinkStore store, AuditLog audit, ApiKeyRegistry keys, IWebhookPublisher webhooks, TimeProvider time, IOptions<GatewayOptions> options) =>
                SetStateAsync(code, LinkState.Active, context, store, audit, keys, webhooks, time, options))
            .RequireAuthorization(ApiScopes.LinksWrite)
            .WithName("RestoreLink")
            .WithSummary("Undo a revocation")
            .WithDescription("Scope links:write.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        links.MapDelete("/{code}", DeleteAsync)
            .RequireAuthorization(ApiScopes.LinksWrite)
            .WithName("DeleteLink")
            .WithSummary("Delete a link and its counters for good; downloads then get 404")
            .WithDescription("Scope links:write.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        api.MapGet("/audit", AuditApi.ListAsync)
            .WithTags("Audit")
            .RequireAuthorization(ApiScopes.LinksRead)
            .DocumentQuery("cursor", "nextCursor of the previous page, unchanged; absent for the first page.")
            .DocumentQuery("limit", "Entries per page.", isPageSize: true)
            .DocumentQuery("code", "Only entries about this link code.")
            .DocumentQuery("actor", "Only entries of this API key name.")
            .WithName("ListAuditEntries")
            .WithSummary("The audit log of admin actions, newest first, a page at a time")
            .WithDescription("Who (API key name) did what (create, update, revoke, restore, delete, presign) to which link or object, when. " +
                "Filters: code, actor. limit: 1-500, default 50; pass nextCursor back as cursor. Scope links:read.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        api.MapPresign();
        api.MapKeyInfo();
        app.MapOpenApi().ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Created<LinkResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpContext context, ILinkStore store, BucketRegistry buckets, ObjectProbe probe, AuditLog audit, ApiKeyRegistry keys, IWebhookPublisher webhooks, TimeProvider time, IOptions<GatewayOptions> options)
    {
        var (request, invalid) = await AdminResults.ReadJsonAsync(context, AdminJsonContext.Default.CreateLinkRequest, "a link").ConfigureAwait(false);
        if (invalid is not null)
        {
            return invalid;
        }

        var now = time.GetUtcNow();
        var errors = CreateLinkValidator.Validate(request!, buckets, now);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The link is not valid.");
        }

        var scope = keys.ScopeOf(context.User);
        scope.CheckTarget(request!.Bucket!, request.Key!, errors);
        scope.CheckExpiry(request.ExpiresAt, now, errors);
        scope.CheckMaxDownloads(request.MaxDownloads, errors);
        if (errors.Count > 0)
        {
            return AdminResults.OutsideKeyScope(errors);
        }

        string? pinnedETag = null;
        if (request.PinEtag == true)
        {
            buckets.TryGet(request.Bucket!, out var bucket);
            ObjectProbeResult probed;
            try
            {
                probed = await probe.HeadAsync(bucket!, request.Key!, request.VersionId, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Oss.OssCredentialsUnavailableException)
            {
                return AdminResults.CredentialsUnavailable(context, bucket!.Alias);
            }

            if (probed.Status != System.Net.HttpStatusCode.OK || probed.ETag is null)
            {
                return AdminResults.Invalid("pinEtag", $"The object could not be read to pin its ETag (storage answered {(int)probed.Status}).", "The link is not valid.");
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
                    return AdminResults.Conflict("Code taken", $"The code '{request.Code}' is already in use.");
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
            return AdminResults.StoreUnavailable(context);
        }

        webhooks.Publish(WebhookEventTypes.LinkCreated, WebhookEventData.ForLink(link));
        await audit.RecordAsync(context.User, AuditActions.Create, link.Code, link.Bucket, link.Key).ConfigureAwait(false);
        var response = AdminResults.ToResponse(link, default, context, options.Value, now);
        return TypedResults.Created($"/api/v1/links/{link.Code}", response);
    }

    private static async Task<Results<Ok<LinkResponse>, ProblemHttpResult>> GetAsync(
        string code, HttpContext context, ILinkStore store, ApiKeyRegistry keys, TimeProvider time, IOptions<GatewayOptions> options)
    {
        try
        {
            var link = await store.GetAsync(code).ConfigureAwait(false);
            if (link is null || !keys.ScopeOf(context.User).Covers(link.Bucket, link.Key))
            {
                return AdminResults.LinkNotFound(code);
            }

            var counters = await store.GetCountersAsync(code).ConfigureAwait(false);
            return TypedResults.Ok(AdminResults.ToResponse(link, counters, context, options.Value, time.GetUtcNow()));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return AdminResults.StoreUnavailable(context);
        }
    }

    private static async Task<Results<Ok<LinkResponse>, ProblemHttpResult>> SetStateAsync(
        string code, LinkState state, HttpContext context, ILinkStore store, AuditLog audit, ApiKeyRegistry keys, IWebhookPublisher webhooks, TimeProvider time, IOptions<GatewayOptions> options)
    {
        try
        {
            var existing = await store.GetAsync(code).ConfigureAwait(false);
            if (existing is null || !keys.ScopeOf(context.User).Covers(existing.Bucket, existing.Key) || !await store.SetStateAsync(code, state).ConfigureAwait(false))
            {
                return AdminResults.LinkNotFound(code);
            }

            await audit.RecordAsync(context.User, state == LinkState.Revoked ? AuditActions.Revoke : AuditActions.Restore, code, existing.Bucket, existing.Key).ConfigureAwait(false);
            var link = await store.GetAsync(code).ConfigureAwait(false);
            if (existing.State != state)
            {
                // Only a change is an event: revoking a revoked link tells a receiver nothing new.
                // Deleted meanwhile: the link as it was, in its new state.
                webhooks.Publish(
                    state == LinkState.Revoked ? WebhookEventTypes.LinkRevoked : WebhookEventTypes.LinkRestored,
                    WebhookEventData.ForLink(link ?? existing with { State = state }));
            }

            if (link is null)
            {
                return AdminResults.LinkNotFound(code);
            }

            var counters = await store.GetCountersAsync(code).ConfigureAwait(false);
            return TypedResults.Ok(AdminResults.ToResponse(link, counters, context, options.Value, time.GetUtcNow()));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return AdminResults.StoreUnavailable(context);
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string code, HttpContext context, ILinkStore store, AuditLog audit, ApiKeyRegistry keys, IWebhookPublisher webhooks)
    {
        try
        {
            var existing = await store.GetAsync(code).ConfigureAwait(false);
            if (existing is null || !keys.ScopeOf(context.User).Covers(existing.Bucket, existing.Key) || !await store.DeleteAsync(code).ConfigureAwait(false))
            {
                return AdminResults.LinkNotFound(code);
            }

            webhooks.Publish(WebhookEventTypes.LinkDeleted, WebhookEventData.ForDeletedLink(code, existing.Bucket, existing.Key));
            await audit.RecordAsync(context.User, AuditActions.Delete, code, existing.Bucket, existing.Key).ConfigureAwait(false);
            return TypedResults.NoContent();
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return AdminResults.StoreUnavailable(context);
        }
    }
}
