using System.Net;
using System.Xml.Linq;

namespace LocalOss.Tests.Infrastructure;

/// <summary>Reads an OSS error response and checks the parts every error shares (oss/SIGNING.md §9).</summary>
internal static class OssErrorXml
{
    public static async Task<XElement> ReadAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status == response.StatusCode, $"Expected {(int)status} {code}, got {(int)response.StatusCode}: {body}");
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", body, StringComparison.Ordinal);
        var error = XDocument.Parse(body).Root!;
        Assert.Equal("Error", error.Name.LocalName);
        Assert.Equal(code, (string?)error.Element("Code"));
        AssertCommonHeaders(response, error);
        return error;
    }

    /// <summary>HEAD errors: no body, the XML in base64 in x-oss-err.</summary>
    public static async Task<XElement> ReadHeadAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        Assert.Empty(body);
        var encoded = Assert.Single(response.Headers.GetValues("x-oss-err"));
        var error = XDocument.Parse(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(encoded))).Root!;
        Assert.Equal(code, (string?)error.Element("Code"));
        AssertCommonHeaders(response, error);
        return error;
    }

    private static void AssertCommonHeaders(HttpResponseMessage response, XElement error)
    {
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("AliyunOSS", Assert.Single(response.Headers.GetValues("Server")));
        var requestId = Assert.Single(response.Headers.GetValues("x-oss-request-id"));
        Assert.Equal(requestId, (string?)error.Element("RequestId"));
        Assert.Equal(Assert.Single(response.Headers.GetValues("x-oss-ec")), (string?)error.Element("EC"));
        Assert.False(string.IsNullOrEmpty((string?)error.Element("Message")));
        Assert.NotNull(error.Element("HostId"));
    }
}
