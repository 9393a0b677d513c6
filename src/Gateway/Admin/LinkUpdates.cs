using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Hosting;
using Gateway.Links;
using Gateway.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Admin;

/// <summary>
/// <c>PATCH /api/v1/links/{code}</c>: read the link, apply the merge patch, validate the result with
/// the rules of create, then write only the changed fields in one script that also checks nobody
/// changed what the validation relied on (retrying a few times if someone did). Downloads counted
/// meanwhile are kept: the script never writes the download count or the state.
/// </summary>
internal static class LinkUpdates
{
    private const int MaxAttempts = 3;

    /// <summary>What identifies the object behind a link: changing it would make another link, so it is refused.</summary>
    private static readonly FrozenDictionary<string, string> Unchangeable = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["bucket"] = "The target of a link cannot change; create a new link.",
        ["key"] = "The target of a link cannot change; create a new link.",
        ["versionId"] = "The target of a link cannot change; create a new link.",
        ["pinEtag"] = "The pinned ETag is taken at creation; create a new link to pin the object as it is now.",
        ["code"] = "The code of a link cannot change; create a new link with the code you want.",
        ["state"] = "Use POST /api/v1/links/{code}/revoke or /restore.",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static async Task<Results<Ok<LinkResponse>, ValidationProblem, ProblemHttpResult>> PatchAsync(
        string code, HttpContext context, ILinkStore store, AuditLog audit, ApiKeyRegistry keys, IWebhookPublisher webhooks, TimeProvider time, IOptions<GatewayOptions> options)
    {
        var (patch, document, invalid) = await ReadPatchAsync(context).ConfigureAwait(false);
        if (invalid is not null)
        {
            return invalid;
        }

        using (document)
        {
            try
            {
                var scope = keys.ScopeOf(context.User);
                for (var attempt = 1; attempt <= MaxAttempts; attempt++)
                {
                    var current = await store.GetAsync(code).ConfigureAwait(false);
                    if (current is null || !scope.Covers(current.Bucket, current.Key))
                    {
                        return AdminResults.LinkNotFound(code);
                    }

                    var now = time.GetUtcNow();
                    var updated = Apply(current, patch!);
                    var errors = Validate(updated, patch!.Present, now);
                    if (errors.Count > 0)
                    {
                        return TypedResults.ValidationProblem(errors, title: "The change would make the link invalid.");
                    }

                    if (patch.Present.Contains(LinkHash.ExpiresAt))
                    {
                        scope.CheckExpiry(updated.ExpiresAt, now, errors);
                    }

                    if (patch.Present.Contains(LinkHash.MaxDownloads))
                    {
                        scope.CheckMaxDownloads(updated.MaxDownloads, errors);
                    }

                    if (errors.Count > 0)
                    {
                        return AdminResults.OutsideKeyScope(errors);
                    }

                    var changed = ChangedFields(current, updated, patch.Present);
                    if (changed.Count > 0)
                    {
                        var result = await store.TryUpdateAsync(current, updated, changed).ConfigureAwait(false);
                        if (result == LinkUpdateResult.NotFound)
                        {
                            return AdminResults.LinkNotFound(code);
                        }

                        if (result == LinkUpdateResult.Conflict)
                        {
                            continue;
                        }

                        await audit.RecordAsync(context.User, AuditActions.Update, code, current.Bucket, current.Key, Changes(document!.RootElement, changed)).ConfigureAwait(false);
                    }

                    // Read back rather than answer with the merged copy: downloads may have been counted meanwhile.
                    var link = await store.GetAsync(code).ConfigureAwait(false);
                    if (changed.Count > 0)
                    {
                        // The stored link, as a revocation meanwhile may have changed its state; the merged copy if it is already gone.
                        webhooks.Publish(WebhookEventTypes.LinkUpdated, WebhookEventData.ForUpdatedLink(link ?? updated, changed));
                    }

                    if (link is null)
                    {
                        return AdminResults.LinkNotFound(code);
                    }

                    var counters = await store.GetCountersAsync(code).ConfigureAwait(false);
                    return TypedResults.Ok(AdminResults.ToResponse(link, counters, context, options.Value, time.GetUtcNow()));
                }

                return AdminResults.Conflict(
                    "Link changed concurrently",
                    "The link's validity window or delivery mode kept changing while this update was applied; read it and try again.");
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                return AdminResults.StoreUnavailable(context);
            }
        }
    }

    /// <summary>The link as the patch would leave it. Null removes optional values; disposition and mode go back to their defaults.</summary>
    internal static Link Apply(Link current, PatchLinkRequest patch)
    {
        var present = patch.Present;
        return current with
        {
            ExpiresAt = present.Contains(LinkHash.ExpiresAt) ? patch.ExpiresAt : current.ExpiresAt,
            NotBefore = present.Contains(LinkHash.NotBefore) ? patch.NotBefore : current.NotBefore,
            MaxDownloads = present.Contains(LinkHash.MaxDownloads) ? patch.MaxDownloads : current.MaxDownloads,
            Filename = present.Contains(LinkHash.Filename) ? patch.Filename : current.Filename,
            Disposition = present.Contains(LinkHash.Disposition)
                ? patch.Disposition == "inline" ? ContentDispositionType.Inline : ContentDispositionType.Attachment
                : current.Disposition,
            ContentType = present.Contains(LinkHash.ContentType) ? patch.ContentType : current.ContentType,
            Mode = present.Contains(LinkHash.Mode)
                ? patch.Mode == "redirect" ? DeliveryMode.Redirect : DeliveryMode.Proxy
                : current.Mode,
            AllowedCidrs = present.Contains(LinkHash.AllowedCidrs) ? patch.AllowedCidrs ?? [] : current.AllowedCidrs,
            TrafficLimit = present.Contains(LinkHash.TrafficLimit) ? patch.TrafficLimit : current.TrafficLimit,
            BindClientIp = present.Contains(LinkHash.BindClientIp) ? patch.BindClientIp == true : current.BindClientIp,
            Tags = present.Contains(LinkHash.Tags) ? patch.Tags ?? [] : current.Tags,
            Note = present.Contains(LinkHash.Note) ? patch.Note : current.Note,
        };
    }

    /// <summary>
    /// Checks the updated link with create's rules, keeping the errors the patch is responsible for:
    /// those of the fields it sets, and the cross-field rules it can break (notBefore against a new
    /// expiresAt, bindClientIp against a new mode). An expiry already past is no reason to refuse a new note.
    /// </summary>
    internal static Dictionary<string, string[]> Validate(Link updated, IReadOnlySet<string> present, DateTimeOffset now)
    {
        var all = new Dictionary<string, string[]>(StringComparer.Ordinal);
        CreateLinkValidator.ValidateSettings(
            new CreateLinkRequest
            {
                Filename = updated.Filename,
                Disposition = LinkHash.Format(updated.Disposition),
                ContentType = updated.ContentType,
                Mode = LinkHash.Format(updated.Mode),
                BindClientIp = updated.BindClientIp,
                NotBefore = updated.NotBefore,
                ExpiresAt = updated.ExpiresAt,
                MaxDownloads = updated.MaxDownloads,
                AllowedCidrs = [.. updated.AllowedCidrs],
                TrafficLimit = updated.TrafficLimit,
                Tags = [.. updated.Tags],
                Note = updated.Note,
            },
            now,
            all);

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (field, messages) in all)
        {
            var bracket = field.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? field : field[..bracket];
            var caused = present.Contains(name)
                || (name == LinkHash.NotBefore && present.Contains(LinkHash.ExpiresAt))
                || (name == LinkHash.BindClientIp && present.Contains(LinkHash.Mode));
            if (caused)
            {
                errors[field] = messages;
            }
        }

        return errors;
    }

    /// <summary>The present fields whose stored form differs; writing only these keeps concurrent changes to other fields.</summary>
    internal static List<string> ChangedFields(Link current, Link updated, IReadOnlySet<string> present)
    {
        var before = LinkHash.ToFieldValues(current);
        var after = LinkHash.ToFieldValues(updated);
        var changed = new List<string>(present.Count);
        foreach (var field in present)
        {
            if (ValueOf(before, field) != ValueOf(after, field))
            {
                changed.Add(field);
            }
        }

        return changed;
    }

    private static RedisValue ValueOf(RedisValue[] fieldValues, string field)
    {
        for (var i = 0; i + 1 < fieldValues.Length; i += 2)
        {
            if ((string?)fieldValues[i] == field)
            {
                return fieldValues[i + 1];
            }
        }

        return RedisValue.Null;
    }

    /// <summary>The audit's record of an update: each changed member as the caller sent it (null: removed).</summary>
    private static JsonObject Changes(JsonElement patch, List<string> changed)
    {
        var changes = new JsonObject();
        foreach (var field in changed)
        {
            changes[field] = patch.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null
                ? JsonNode.Parse(value.GetRawText())
                : null;
        }

        return changes;
    }

    private static async Task<(PatchLinkRequest? Patch, JsonDocument? Document, ValidationProblem? Problem)> ReadPatchAsync(HttpContext context)
    {
        if (!context.Request.HasJsonContentType())
        {
            return (null, null, AdminResults.Invalid("body", "Send a JSON merge patch with Content-Type: application/merge-patch+json (or application/json)."));
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return (null, null, AdminResults.Invalid("body", ex.Message.Split(" Path:")[0], "The request body is not valid JSON."));
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, null, AdminResults.Invalid("body", "A JSON object is required."));
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (Unchangeable.TryGetValue(property.Name, out var reason))
            {
                errors[property.Name] = [reason];
            }
        }

        if (errors.Count > 0)
        {
            document.Dispose();
            return (null, null, TypedResults.ValidationProblem(errors, title: "These members cannot be changed."));
        }

        try
        {
            var patch = document.RootElement.Deserialize(AdminJsonContext.Default.PatchLinkRequest)!;
            var invalid = InvalidEnumerations(patch);
            if (invalid is not null)
            {
                document.Dispose();
                return (null, null, invalid);
            }

            return (patch, document, null);
        }
        catch (JsonException ex)
        {
            document.Dispose();
            return (null, null, AdminResults.Invalid(AdminResults.JsonFieldName(ex.Path), ex.Message.Split(" Path:")[0], "The request body is not valid JSON for a link change."));
        }
    }

    /// <summary>Apply reads any disposition or mode other than the known ones as the default, so unknown values are refused before.</summary>
    private static ValidationProblem? InvalidEnumerations(PatchLinkRequest patch)
    {
        if (patch.Disposition is not (null or "attachment" or "inline"))
        {
            return AdminResults.Invalid(LinkHash.Disposition, "Must be 'attachment' or 'inline' (or null for the default, attachment).", "The change would make the link invalid.");
        }

        if (patch.Mode is not (null or "proxy" or "redirect"))
        {
            return AdminResults.Invalid(LinkHash.Mode, "Must be 'proxy' or 'redirect' (or null for the default, proxy).", "The change would make the link invalid.");
        }

        return null;
    }
}
