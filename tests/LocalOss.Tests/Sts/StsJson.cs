using System.Net;
using System.Text.Json;

namespace LocalOss.Tests.Sts;

/// <summary>Reads the stand-ins' JSON answers and checks the parts every STS error shares.</summary>
internal static class StsJson
{
    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> ReadErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var error = await ReadAsync(response, status);
        Assert.Equal(["RequestId", "HostId", "Code", "Message", "Recommend"], error.EnumerateObject().Select(p => p.Name));
        Assert.Equal(code, error.GetProperty("Code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("Message").GetString()));
        return error;
    }

    public static string Text(this JsonElement element, string path)
    {
        foreach (var name in path.Split('.'))
        {
            element = element.GetProperty(name);
        }

        return element.GetString()!;
    }
}
