using System.Security.Cryptography;
using System.Text;
using StandardWebhooks;

namespace Gateway.Webhooks;

/// <summary>
/// Standard Webhooks signing: <c>webhook-signature</c> is <c>v1,</c> + base64 HMAC-SHA256 over
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c>, keyed with the base64 part of the <c>whsec_</c> secret;
/// during a rotation's grace period one signature per secret, separated by a space. The signing itself is
/// the StandardWebhooks package's, so it is the same code receivers verify with.
/// </summary>
internal static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <param name="body">The event's stored body: UTF-8 JSON, so decoding it and letting the package encode it again gives the same bytes.</param>
    public static string Sign(IReadOnlyList<string> secrets, string webhookId, DateTimeOffset timestamp, byte[] body)
    {
        var payload = Encoding.UTF8.GetString(body);
        var signatures = new string[secrets.Count];
        for (var i = 0; i < secrets.Count; i++)
        {
            signatures[i] = new StandardWebhook(secrets[i]).Sign(webhookId, timestamp, payload);
        }

        return string.Join(' ', signatures);
    }
}
