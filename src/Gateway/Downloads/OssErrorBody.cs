namespace Gateway.Downloads;

/// <summary>Reads the error code out of OSS's small XML error body, for the few codes the gateway acts on.</summary>
internal static class OssErrorBody
{
    /// <summary>OSS error bodies are a few hundred bytes; anything much larger is not one.</summary>
    private const int MaxLength = 16 * 1024;

    /// <summary>The codes that mean "these credentials no longer work" rather than "this request is not allowed".</summary>
    private static readonly string[] CredentialsRejections = ["InvalidAccessKeyId", "SecurityTokenExpired", "InvalidSecurityToken"];

    public static async ValueTask<bool> IsCredentialsRejectionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is not (> 0 and <= MaxLength))
        {
            return false;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var code = CodeOf(body);
        return code is not null && Array.IndexOf(CredentialsRejections, code) >= 0;
    }

    /// <summary>The text of the first &lt;Code&gt; element, or null.</summary>
    internal static string? CodeOf(string body)
    {
        const string open = "<Code>", close = "</Code>";
        var start = body.IndexOf(open, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += open.Length;
        var end = body.IndexOf(close, start, StringComparison.Ordinal);
        return end < 0 ? null : body[start..end].Trim();
    }
}
