using System.Globalization;
using System.Text.Json;

namespace Gateway.Oss;

/// <summary>
/// Reads the credentials object every Alibaba Cloud source answers with (STS's <c>Credentials</c>, the ECS
/// metadata service, a credentials URI): AccessKeyId, AccessKeySecret, SecurityToken and an Expiration
/// such as <c>2026-11-30T12:00:00Z</c>.
/// </summary>
internal static class TemporaryCredentialsJson
{
    public static OssCredentials Read(JsonElement credentials, string source)
    {
        if (credentials.ValueKind != JsonValueKind.Object)
        {
            throw new CredentialsFetchException($"{source} answered without a credentials object.");
        }

        var accessKeyId = RequiredString(credentials, "AccessKeyId", source);
        var accessKeySecret = RequiredString(credentials, "AccessKeySecret", source);
        var securityToken = RequiredString(credentials, "SecurityToken", source);
        var expirationText = RequiredString(credentials, "Expiration", source);
        if (!DateTimeOffset.TryParse(expirationText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var expiration))
        {
            throw new CredentialsFetchException($"{source} answered with an Expiration that is not a date: '{expirationText}'.");
        }

        try
        {
            return new OssCredentials(accessKeyId, accessKeySecret, securityToken) { Expiration = expiration };
        }
        catch (ArgumentException ex)
        {
            // The message names the offending member only, never its value.
            throw new CredentialsFetchException($"{source} answered with unusable credentials: {ex.Message}");
        }
    }

    /// <summary>Parses a body, or says (without echoing it: it may hold a secret) that it is not JSON.</summary>
    public static JsonDocument Parse(string body, string source)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            throw new CredentialsFetchException($"{source} answered with a body that is not JSON ({body.Length} characters).");
        }
    }

    public static string? OptionalString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string RequiredString(JsonElement element, string name, string source) =>
        OptionalString(element, name) is { Length: > 0 } value
            ? value
            : throw new CredentialsFetchException($"{source} answered without {name}.");
}
