using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace LocalOss.Sts;

/// <summary>The JSON bodies the credential stand-ins answer with, member for member in the order the real services use.</summary>
internal static class StsResponses
{
    private const string JsonContentType = "application/json;charset=utf-8";

    /// <summary>STS and the metadata service write expirations to the second, in UTC: 2026-11-30T12:00:00Z.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Request ids shaped like the POP gateway's: an upper-case GUID.</summary>
    public static string NewRequestId() => Guid.NewGuid().ToString("D").ToUpperInvariant();

    public static Task WriteErrorAsync(HttpContext context, StsError error, string requestId)
    {
        // The POP gateway links each code to its diagnosis page; the link holds nothing from the request.
        var recommend = "https://api.aliyun.com/troubleshoot?q=" + Uri.EscapeDataString(error.Code) + "&product=Sts";
        return WriteJsonAsync(context, error.StatusCode, writer =>
        {
            writer.WriteString("RequestId", requestId);
            writer.WriteString("HostId", context.Request.Host.Host);
            writer.WriteString("Code", error.Code);
            writer.WriteString("Message", error.Message);
            writer.WriteString("Recommend", recommend);
        });
    }

    public static void WriteCredentials(Utf8JsonWriter writer, IssuedCredentials credentials)
    {
        writer.WriteString("SecurityToken", credentials.SecurityToken);
        writer.WriteString("AccessKeyId", credentials.AccessKeyId);
        writer.WriteString("AccessKeySecret", credentials.AccessKeySecret);
        writer.WriteString("Expiration", FormatTime(credentials.Expiration));
    }

    public static Task WriteJsonAsync(HttpContext context, int statusCode, Action<Utf8JsonWriter> writeMembers)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeMembers(writer);
            writer.WriteEndObject();
        }

        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = JsonContentType;
        response.Headers.CacheControl = "no-store";
        response.ContentLength = buffer.WrittenCount;
        return response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).AsTask();
    }

    public static Task WriteTextAsync(HttpContext context, int statusCode, string text)
    {
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/plain";
        response.Headers.CacheControl = "no-store";
        return response.WriteAsync(text, context.RequestAborted);
    }
}
