using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gateway.Admin;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c>: the bearer scheme the admin API uses, required by
/// (and only by) the operations that need an API key, each of which also documents the answers the
/// authentication, authorization and rate-limiting layers give before any endpoint runs.
/// </summary>
internal static class AdminOpenApi
{
    public const string SchemeName = "Bearer";

    private static readonly (string Status, string Description)[] GuardResponses =
    [
        ("401", "No API key, an unknown one, or one past its expiry."),
        ("403", "The API key lacks the scope, or the request goes beyond the key's buckets, key prefixes or limits."),
        ("429", "Too many requests for this API key; Retry-After says when to try again."),
    ];

    /// <summary>
    /// Documents the JSON body of an endpoint that reads it itself (to name bad fields in its problem).
    /// <c>Accepts&lt;T&gt;</c> would document it too, but it also makes routing answer 415 with an empty
    /// body to other content types, where the admin API answers a problem naming the body.
    /// </summary>
    public static RouteHandlerBuilder DocumentBody<TBody>(this RouteHandlerBuilder builder, params string[] contentTypes) =>
        builder.WithMetadata(new RequestBodyDocumentation(typeof(TBody), contentTypes));

    /// <summary>
    /// Describes a query parameter the handler binds as text (so that a bad value gets a problem naming
    /// it); <paramref name="allowedValues"/> lists its values, <paramref name="isPageSize"/> marks <c>limit</c>.
    /// </summary>
    public static RouteHandlerBuilder DocumentQuery(this RouteHandlerBuilder builder, string name, string description, string[]? allowedValues = null, bool isPageSize = false) =>
        builder.WithMetadata(new QueryParameterDocumentation(name, description, allowedValues, isPageSize));

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer(static (document, _, _) =>
        {
            document.Info.Title = "Gateway admin API";
            document.Info.Description = "Revocable short download links for Alibaba Cloud OSS: links, audit log, presigned URLs and statistics. " +
                "Send 'Authorization: Bearer <api key>'. Errors are application/problem+json; validation errors name the field.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
            document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key from Gateway:Admin:ApiKeys (the configuration holds only its SHA-256).",
            };
            return Task.CompletedTask;
        });

        options.AddOperationTransformer(static async (operation, context, cancellationToken) =>
        {
            var requiresKey = false;
            RequestBodyDocumentation? body = null;
            foreach (var metadata in context.Description.ActionDescriptor.EndpointMetadata)
            {
                requiresKey |= metadata is IAuthorizeData;
                body ??= metadata as RequestBodyDocumentation;
                if (metadata is QueryParameterDocumentation query)
                {
                    Describe(operation, query);
                }
            }

            if (body is not null)
            {
                var schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken).ConfigureAwait(false);
                var content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal);
                foreach (var contentType in body.ContentTypes)
                {
                    content[contentType] = new OpenApiMediaType { Schema = schema };
                }

                operation.RequestBody = new OpenApiRequestBody { Required = true, Content = content };
            }

            if (!requiresKey)
            {
                return;
            }

            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });

            var problem = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken).ConfigureAwait(false);
            operation.Responses ??= [];
            foreach (var (status, description) in GuardResponses)
            {
                operation.Responses.TryAdd(status, new OpenApiResponse
                {
                    Description = description,
                    Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                    {
                        ["application/problem+json"] = new OpenApiMediaType { Schema = problem },
                    },
                });
            }
        });
    }

    private static void Describe(OpenApiOperation operation, QueryParameterDocumentation query)
    {
        foreach (var parameter in operation.Parameters ?? [])
        {
            if (parameter is not OpenApiParameter found || found.Name != query.Name || found.In != ParameterLocation.Query)
            {
                continue;
            }

            found.Description = query.Description;
            if (query.IsPageSize)
            {
                found.Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Integer,
                    Format = "int32",
                    Minimum = "1",
                    Maximum = PageCursor.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Default = JsonValue.Create(PageCursor.DefaultLimit),
                };
            }
            else if (query.AllowedValues is { } allowed)
            {
                var values = new List<JsonNode>(allowed.Length);
                foreach (var value in allowed)
                {
                    values.Add(JsonValue.Create(value));
                }

                found.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = values };
            }
        }
    }
}

/// <summary>Endpoint metadata read only by the OpenAPI document: the body type and its content types.</summary>
internal sealed record RequestBodyDocumentation(Type Type, string[] ContentTypes);

/// <summary>Endpoint metadata read only by the OpenAPI document: what a query parameter means and which values it takes.</summary>
internal sealed record QueryParameterDocumentation(string Name, string Description, string[]? AllowedValues, bool IsPageSize);
