namespace Gateway.Oss.Tests.Support;

internal static class HttpRequests
{
    /// <summary>Adds a header where HttpClient keeps it: content headers (Content-Type, Content-MD5, ...) on the content.</summary>
    public static void AddHeader(HttpRequestMessage request, string name, string value)
    {
        if (request.Headers.TryAddWithoutValidation(name, value))
        {
            return;
        }

        request.Content ??= new ByteArrayContent([]);
        Assert.True(request.Content.Headers.TryAddWithoutValidation(name, value), $"Header {name} fits neither collection.");
    }

    public static string? Header(HttpRequestMessage request, string name) =>
        request.Headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;
}
