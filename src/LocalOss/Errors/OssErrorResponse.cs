using System.Globalization;
using System.Text;
using System.Xml;
using LocalOss.Http;
using Microsoft.AspNetCore.Http;

namespace LocalOss.Errors;

/// <summary>
/// Writes an <see cref="OssError"/> the way OSS does (oss/SIGNING.md §9): an XML body with
/// <c>Content-Type: application/xml</c> and an <c>x-oss-ec</c> header; for HEAD no body, but the base64 of
/// that XML in <c>x-oss-err</c>, which is where the Go SDK looks when the body is empty.
/// </summary>
internal static class OssErrorResponse
{
    // XmlWriter would spell the encoding "utf-8"; OSS writes "UTF-8".
    private static readonly byte[] Declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"u8.ToArray();

    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        OmitXmlDeclaration = true,
        Indent = true,
        IndentChars = "  ",
        NewLineChars = "\n",
    };

    public static Task WriteAsync(HttpContext context, OssError error)
    {
        var request = context.Request;
        var response = context.Response;
        var xml = Render(error, response.Headers[OssHeaders.RequestId].ToString(), request.Host.Host);

        // Clear whatever the operation had begun to set (ETag, Content-Range, ...) but keep the request id.
        var requestId = response.Headers[OssHeaders.RequestId];
        response.Clear();
        response.StatusCode = error.StatusCode;
        response.Headers[OssHeaders.RequestId] = requestId;
        response.Headers.Server = OssHeaders.ServerName;
        response.Headers[OssHeaders.Ec] = error.Ec;
        response.ContentType = "application/xml";
        foreach (var (name, value) in error.Headers)
        {
            response.Headers[name] = value;
        }

        if (HttpMethods.IsHead(request.Method))
        {
            response.Headers[OssHeaders.Err] = Convert.ToBase64String(xml);
            response.ContentLength = 0;
            return Task.CompletedTask;
        }

        response.ContentLength = xml.Length;
        return response.Body.WriteAsync(xml, context.RequestAborted).AsTask();
    }

    internal static byte[] Render(OssError error, string requestId, string hostId)
    {
        using var buffer = new MemoryStream();
        buffer.Write(Declaration);
        using (var writer = XmlWriter.Create(buffer, Settings))
        {
            writer.WriteStartElement("Error");
            writer.WriteElementString("Code", error.Code);
            writer.WriteElementString("Message", XmlSafe(error.Message));
            writer.WriteElementString("RequestId", requestId);
            writer.WriteElementString("HostId", XmlSafe(hostId));
            foreach (var (name, value) in error.Details)
            {
                writer.WriteElementString(name, XmlSafe(value));
            }

            writer.WriteElementString("EC", error.Ec);
            if (error.Ec != OssError.UnknownEc)
            {
                writer.WriteElementString("RecommendDoc", string.Create(CultureInfo.InvariantCulture, $"https://api.aliyun.com/troubleshoot?q={error.Ec}"));
            }

            writer.WriteEndElement();
        }

        return buffer.ToArray();
    }

    // Keys, canonical requests and hosts echoed into the body may hold characters XML 1.0 cannot carry
    // (control characters, lone surrogates); XmlWriter would throw on them, so they become U+FFFD.
    private static string XmlSafe(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (!IsXmlCharAt(value, ref i))
            {
                return Sanitize(value);
            }
        }

        return value;
    }

    private static string Sanitize(string value)
    {
        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var start = i;
            if (IsXmlCharAt(value, ref i))
            {
                builder.Append(value, start, i - start + 1);
            }
            else
            {
                builder.Append('\uFFFD');
            }
        }

        return builder.ToString();
    }

    // Advances i past the low half of a valid surrogate pair.
    private static bool IsXmlCharAt(string value, ref int i)
    {
        var c = value[i];
        if (XmlConvert.IsXmlChar(c))
        {
            return true;
        }

        if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
        {
            i++;
            return true;
        }

        return false;
    }
}
