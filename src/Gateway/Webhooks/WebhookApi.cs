using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Admin;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Webhooks;

/// <summary>
/// The webhook endpoints API under <c>/api/v1/webhooks</c>, scope <c>webhooks</c>. Every change is audited;
/// a secret appears only in the answers of create and rotate-secret, never in a list, a log or the audit.
/// </summary>
internal static class WebhookApi
{
    private const int MaxEvents = 32;
    private const int MaxDescriptionLength = 500;
    private const int MaxUrlLength = 2048;

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var webhooks = app.MapGroup("/api/v1/webhooks").WithTags("Webhooks").RequireAuthorization(ApiScopes.Webhooks);
        webhooks.AddEndpointFilter(Admin.AdminResults.AdminFilter);

        webhooks.MapPost("", CreateAsync)
            .DocumentBody<CreateWebhookRequest>("application/json")
            .WithName("CreateWebhook")
            .WithSummary("Register a webhook endpoint")
            .WithDescription("201 with the endpoint and its signing secret (whsec_…), shown only here and on rotate-secret. " +
                "events: names from " + string.Join(", ", WebhookEventTypes.Subscribable.Order(StringComparer.Ordinal)) + ", or *. " +
                "url: https, on a host with only public addresses (unless Gateway:Webhooks:AllowPrivateNetworks). Scope webhooks.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        webhooks.MapGet("", ListAsync)
            .WithName("ListWebhooks")
            .WithSummary("All webhook endpoints, oldest first, without their secrets")
            .WithDescription("Scope webhooks.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        webhooks.MapGet("/{id}", GetAsync)
            .WithName("GetWebhook")
            .WithSummary("A webhook endpoint, without its secret")
            .WithDescription("Scope webhooks.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        webhooks.MapPatch("/{id}", PatchAsync)
            .DocumentBody<PatchWebhookRequest>("application/merge-patch+json", "application/json")
            .WithName("UpdateWebhook")
            .WithSummary("Change an endpoint's url, events, description or enabled")
            .WithDescription("Absent members stay; description null removes it. Enabling an endpoint starts its run of failures afresh. Scope webhooks.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        webhooks.MapDelete("/{id}", DeleteAsync)
            .WithName("DeleteWebhook")
            .WithSummary("Delete an endpoint; its pending deliveries are dropped")
            .WithDescription("Scope webhooks.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        webhooks.MapPost("/{id}/rotate-secret", RotateSecretAsync)
            .WithName("RotateWebhookSecret")
            .WithSummary("Give an endpoint a new secret; the old one keeps signing beside it for the grace period")
            .WithDescription("200 with the endpoint and its new secret. Until previousSecretExpiresAt (Gateway:Webhooks:SecretRotationGrace after the call) " +
                "webhook-signature carries a signature with each secret. Scope webhooks.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        webhooks.MapGet("/{id}/deliveries", DeliveriesAsync)
            .WithName("ListWebhookDeliveries")
            .WithSummary("The endpoint's recent delivery attempts, newest first")
            .WithDescription("Up to Gateway:Webhooks:DeliveryHistory attempts: deliveryId, eventId (the webhook-id), type, attempt, result " +
                "(delivered, retrying, failed), statusCode or error, durationMs, timestamp. Scope webhooks.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        webhooks.MapPost("/{id}/deliveries/{deliveryId}/redeliver", RedeliverAsync)
            .WithName("RedeliverWebhookEvent")
            .WithSummary("Send an attempt's event to this endpoint again, with the same webhook-id")
            .WithDescription("202 with the event queued. 404 when the attempt is no longer in the history; 410 when the event's body has expired. Scope webhooks.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        webhooks.MapPost("/{id}/ping", PingAsync)
            .WithName("PingWebhook")
            .WithSummary("Queue a ping event to this endpoint only")
            .WithDescription("202 with the event queued; watch the deliveries for the outcome. 409 when the endpoint is disabled. Scope webhooks.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Results<Created<WebhookResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpContext context, WebhookStore store, WebhookEndpointCache cache, AuditLog audit, TimeProvider time, IOptions<WebhookOptions> options)
    {
        var (request, invalid) = await AdminResults.ReadJsonAsync(context, WebhookJsonContext.Default.CreateWebhookRequest, "a webhook").ConfigureAwait(false);
        if (invalid is not null)
        {
            return invalid;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request!.Url is null)
        {
            errors["url"] = ["A url is required."];
        }

        if (request.Events is null)
        {
            errors["events"] = ["events is required: a list of event types, or [\"*\"]."];
        }

        await ValidateAsync(request.Url, request.Events, request.Description, options.Value, errors, context.RequestAborted).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The webhook is not valid.");
        }

        var now = time.GetUtcNow();
        var endpoint = new WebhookEndpoint(
            WebhookStore.NewEndpointId(),
            new Uri(request.Url!, UriKind.Absolute),
            Distinct(request.Events!),
            string.IsNullOrEmpty(request.Description) ? null : request.Description,
            request.Enabled ?? true,
            now,
            WebhookSignature.NewSecret(),
            null,
            null);
        try
        {
            await store.CreateAsync(endpoint).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return AdminResults.StoreUnavailable(context);
        }

        await audit.RecordAsync(context.User, WebhookAuditActions.Create, null, null, null, Details(endpoint)).ConfigureAwait(false);
        await cache.RefreshAsync().ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/webhooks/{endpoint.Id}", WebhookResponse.From(endpoint, now, withSecret: true));
    }

    private static async Task<Results<Ok<WebhookListResponse>, ProblemHttpResult>> ListAsync(HttpContext context, WebhookStore store, TimeProvider time)
    {
        try
        {
            var endpoints = await store.ListAsync().ConfigureAwait(false);
            var now = time.GetUtcNow();
            var items = new List<WebhookResponse>(endpoints.Count);
            foreach (var endpoint in endpoints)
            {
                items.Add(WebhookResponse.From(endpoint, now));
            }

            return TypedResults.Ok(new WebhookListResponse(items));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return AdminResults.StoreUnavailable(context);
        }
    }

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> GetAsync(string id, HttpContext context, WebhookStore store, TimeProvider time)
    {
        try
        {
            return await store.GetAsync(id).ConfigureAwait(false) is { } endpoint
                ? TypedResults.Ok(WebhookResponse.From(endpoint, time.GetUtcNow()))
                : NotFound(id);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return AdminResults.StoreUnavailable(context);
        }
    }

    private static async Task<Results<Ok<WebhookResponse>, ValidationProblem, ProblemHttpResult>> PatchAsync(
        string id, HttpContext context, WebhookStore store, WebhookEndpointCache cache, AuditLog audit, TimeProvider time, IOptions<WebhookOptions> options)
    {
        var (body, invalid) = await AdminResults.ReadJsonAsync(context, WebhookJsonContext.Default.JsonObject, "a webhook change").ConfigureAwait(false);
        if (invalid is not null)
        {
            return invalid;
        }

        PatchWebhookRequest? patch;
        try
        {
            patch = body!.Deserialize(WebhookJsonContext.Default.PatchWebhookRequest);
        }
        catch (JsonException ex)
        {
            return AdminResults.Invalid(AdminResults.JsonFieldName(ex.Path), ex.Message.Split(" Path:")[0], "The webhook change is not valid JSON.");
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, value) in body!)
        {
            if (value is null && name is "url" or "events" or "enabled")
            {
                errors[name] = [$"{name} cannot be removed."];
            }
            else if (name is not ("url" or "events" or "description" or "enabled"))
            {
                errors[name] = ["Unknown member; a webhook has url, events, description and enabled."];
            }
        }

        await ValidateAsync(patch!.Url, patch.Events, patch.Description, options.Value, errors, context.RequestAborted).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The webhook change is not valid.");
        }

        try
        {
            var existing = await store.GetAsync(id).ConfigureAwait(false);
            if (existing is null)
            {
                return NotFound(id);
            }

            var updated = existing with
            {
                Url = patch.Url is null ? existing.Url : new Uri(patch.Url, UriKind.Absolute),
                Events = patch.Events is null ? existing.Events : Distinct(patch.Events),
                Description = body.ContainsKey("description") ? (string.IsNullOrEmpty(patch.Description) ? null : patch.Description) : existing.Description,
                Enabled = patch.Enabled ?? existing.Enabled,
            };
            if (!await store.UpdateAsync(updated).ConfigureAwait(false))
            {
                return NotFound(id);
            }

            if (updated.Enabled && !existing.Enabled)
            {
                await store.RecordSuccessAsync(id).ConfigureAwait(false);
            }

            var details = Details(updated);
            details["changed"] = new JsonArray([.. body.Select(static member => JsonValue.Create(member.Key))]);
            await audit.RecordAsync(context.User, WebhookAuditActions.Update, null, null, null, details).ConfigureAwait(false);
            await cache.RefreshAsync().ConfigureAwait(false);
            return TypedResults.Ok(WebhookResponse.From(updated, time.GetUtcNow()));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return AdminResults.StoreUnavailable(context);
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, HttpContext context, WebhookStore store, WebhookEndpointCache cache, AuditLog audit)
    {
        try
        {
            var existing = await store.GetAsync(id).ConfigureAwait(false);
            if (existing is null || !await store.DeleteAsync(id).ConfigureAwait(false))
            {
                return NotFound(id);
            }

            await audit.RecordAsync(context.User, WebhookAuditActions.Delete, null, null, null, Details(existing)).ConfigureAwait(false);
            await cache.RefreshAsync().ConfigureAwait(false);
            return TypedResults.NoContent();
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return AdminResults.StoreUnavailable(context);
        }
    }

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> RotateSecretAsync(
        string id, HttpContext context, WebhookStore store, WebhookEndpointCache cache, AuditLog audit, TimeProvider time, IOptions<WebhookOptions> options)
    {
        try
        {
            var existing = await store.GetAsync(id).ConfigureAwait(false);
            if (existing is null)
            {
                return NotFound(id);
            }

            var now = time.GetUtcNow();
            var rotated = existing with
            {
                Secret = WebhookSignature.NewSecret(),
                PreviousSecret = existing.Secret,
                PreviousSecretUntil = now + options.Value.SecretRotationGrace,
            };
            if (!await store.UpdateAsync(rotated).ConfigureAwait(false))
            {
                return NotFound(id);
            }

            await audit.RecordAsync(context.User, WebhookAuditActions.RotateSecret, null, null, null, Details(rotated)).ConfigureAwait(false);
            await cache.RefreshAsync().ConfigureAwait(false);
            return TypedResults.Ok(WebhookResponse.From(rotated, now, withSecret: true));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return AdminResults.StoreUnavailable(context);
        }
    }

    private static async Task<Results<Ok<WebhookDeliveriesResponse>, ProblemHttpResult>> DeliveriesAsync(string id, HttpContext context, WebhookStore store)
    {
        try
        {
            if (await store.GetAsync(id).ConfigureAwait(false) is null)
            {
                return NotFound(id);
            }

            return TypedResults.Ok(new WebhookDeliveriesResponse(await store.ListAttemptsAsync(id).ConfigureAwait(false)));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return AdminResults.StoreUnavailable(context);
        }
    }

    private static async Task<Results<Accepted<WebhookQueuedResponse>, ProblemHttpResult>> RedeliverAsync(
        string id, string deliveryId, HttpContext context, WebhookStore store, WebhookDispatcher dispatcher, AuditLog audit, TimeProvider time)
    {
        try
        {
            var endpoint = await store.GetAsync(id).ConfigureAwait(false);
            if (endpoint is null)
            {
                return NotFound(id);
            }

            WebhookDeliveryAttempt? attempt = null;
            foreach (var candidate in await store.ListAttemptsAsync(id).ConfigureAwait(false))
            {
                if (candidate.DeliveryId == deliveryId)
                {
                    attempt = candidate;
                    break;
                }
            }

            if (attempt is null)
            {
                return TypedResults.Problem(new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "Delivery not found", Detail = $"Webhook '{id}' has no delivery '{deliveryId}' in its recent history." });
            }

            if (!endpoint.Enabled)
            {
                return Disabled(id);
            }

            var queued = await store.EnqueueAsync(attempt.EventId, attempt.Type, null, [id], time.GetUtcNow()).ConfigureAwait(false);
            if (queued == WebhookStore.EventGone)
            {
                return TypedResults.Problem(new ProblemDetails { Status = StatusCodes.Status410Gone, Title = "Event expired", Detail = $"The body of event '{attempt.EventId}' is no longer kept." });
            }

            if (queued == WebhookStore.BacklogFull)
            {
                return BacklogFull(context);
            }

            dispatcher.Wake();
            var details = Details(endpoint);
            details["eventId"] = attempt.EventId;
            await audit.RecordAsync(context.User, WebhookAuditActions.Redeliver, null, null, null, details).ConfigureAwait(false);
            return TypedResults.Accepted((string?)null, new WebhookQueuedResponse(attempt.EventId, attempt.Type));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return AdminResults.StoreUnavailable(context);
        }
    }

    private static async Task<Results<Accepted<WebhookQueuedResponse>, ProblemHttpResult>> PingAsync(
        string id, HttpContext context, WebhookStore store, WebhookDispatcher dispatcher, AuditLog audit, TimeProvider time)
    {
        try
        {
            var endpoint = await store.GetAsync(id).ConfigureAwait(false);
            if (endpoint is null)
            {
                return NotFound(id);
            }

            if (!endpoint.Enabled)
            {
                return Disabled(id);
            }

            // Straight into the outbox rather than through the publisher: it goes to this endpoint only, and
            // the caller learns here whether it was stored.
            var now = time.GetUtcNow();
            var eventId = WebhookStore.NewEventId();
            var body = WebhookOutboxWriter.Serialize(WebhookEventTypes.Ping, now, new JsonObject { ["webhook"] = id });
            if (await store.EnqueueAsync(eventId, WebhookEventTypes.Ping, body, [id], now).ConfigureAwait(false) == WebhookStore.BacklogFull)
            {
                return BacklogFull(context);
            }

            dispatcher.Wake();
            var details = Details(endpoint);
            details["eventId"] = eventId;
            await audit.RecordAsync(context.User, WebhookAuditActions.Ping, null, null, null, details).ConfigureAwait(false);
            return TypedResults.Accepted((string?)null, new WebhookQueuedResponse(eventId, WebhookEventTypes.Ping));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return AdminResults.StoreUnavailable(context);
        }
    }

    /// <summary>Checks the members that are present; <paramref name="errors"/> gets one entry per bad field.</summary>
    private static async Task ValidateAsync(string? url, string[]? events, string? description, WebhookOptions options, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        if (url is not null)
        {
            var refusal = url.Length > MaxUrlLength
                ? $"At most {MaxUrlLength} characters."
                : await WebhookAddressPolicy.CheckUrlAsync(url, options.AllowPrivateNetworks, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                errors["url"] = [refusal];
            }
        }

        if (events is not null)
        {
            var problems = new List<string>();
            if (events.Length is 0 or > MaxEvents)
            {
                problems.Add($"List 1 to {MaxEvents} event types, or [\"*\"].");
            }

            foreach (var type in events)
            {
                if (type != WebhookEventTypes.Wildcard && !WebhookEventTypes.Subscribable.Contains(type ?? ""))
                {
                    problems.Add($"Unknown event type '{type}'; known: {string.Join(", ", WebhookEventTypes.Subscribable.Order(StringComparer.Ordinal))}, or *.");
                }
            }

            if (problems.Count > 0)
            {
                errors["events"] = [.. problems];
            }
        }

        if (description is { Length: > MaxDescriptionLength })
        {
            errors["description"] = [$"At most {MaxDescriptionLength} characters."];
        }
    }

    private static string[] Distinct(string[] events) => [.. events.Distinct(StringComparer.Ordinal)];

    /// <summary>What the audit keeps of an endpoint: its id and url, never its secret.</summary>
    private static JsonObject Details(WebhookEndpoint endpoint) => new()
    {
        ["webhook"] = endpoint.Id,
        ["url"] = endpoint.Url.OriginalString,
    };

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "Webhook not found", Detail = $"No webhook endpoint has the id '{id}'." });

    private static ProblemHttpResult Disabled(string id) =>
        AdminResults.Conflict("Webhook disabled", $"Webhook '{id}' is disabled; enable it (PATCH enabled: true) first.");

    private static ProblemHttpResult BacklogFull(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "60";
        return TypedResults.Problem("The webhook outbox is full (Gateway:Webhooks:MaxBacklog); try again later.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Webhook outbox full");
    }
}
