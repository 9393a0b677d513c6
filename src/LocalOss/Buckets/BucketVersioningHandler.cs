using System.Text;
using System.Xml;
using LocalOss.Addressing;
using LocalOss.Errors;
using LocalOss.Storage;
using Microsoft.AspNetCore.Http;

namespace LocalOss.Buckets;

/// <summary>
/// PutBucketVersioning and GetBucketVersioning (<c>PUT|GET /?versioning</c>). The document is
/// <c>&lt;VersioningConfiguration&gt;&lt;Status&gt;Enabled|Suspended&lt;/Status&gt;&lt;/VersioningConfiguration&gt;</c>;
/// for a bucket that never had versioning, GET answers the element without a Status, as OSS does.
/// </summary>
internal sealed class BucketVersioningHandler(ObjectStore store)
{
    public const string SubResource = "versioning";

    // The document is a few dozen bytes; anything much larger is not one.
    private const int MaxBodySize = 16 * 1024;

    private static readonly byte[] Declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"u8.ToArray();

    private static readonly XmlWriterSettings WriterSettings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        OmitXmlDeclaration = true,
        Indent = true,
        IndentChars = "  ",
        NewLineChars = "\n",
    };

    // No DTDs: the body comes from the network.
    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreWhitespace = true,
        IgnoreProcessingInstructions = true,
    };

    public async Task<OssError?> HandleAsync(HttpContext context, OssRequestTarget target)
    {
        var method = context.Request.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsPut(method))
        {
            return OssError.MethodNotAllowed(method, "Bucket");
        }

        if (!store.BucketExists(target.Bucket))
        {
            return OssError.NoSuchBucket(target.Bucket);
        }

        if (HttpMethods.IsGet(method))
        {
            var xml = Render(store.GetVersioning(target.Bucket));
            var response = context.Response;
            response.ContentType = "application/xml";
            response.ContentLength = xml.Length;
            await response.Body.WriteAsync(xml, context.RequestAborted);
            return null;
        }

        var body = await ReadBodyAsync(context.Request, context.RequestAborted);
        if (body is null || !TryParse(body, out var status))
        {
            return OssError.MalformedXml();
        }

        store.SetVersioning(target.Bucket, status);
        context.Response.ContentLength = 0;
        return null;
    }

    internal static byte[] Render(LocalOssVersioningStatus? status)
    {
        using var buffer = new MemoryStream();
        buffer.Write(Declaration);
        using (var writer = XmlWriter.Create(buffer, WriterSettings))
        {
            writer.WriteStartElement("VersioningConfiguration");
            if (status is { } value)
            {
                writer.WriteElementString("Status", value.ToString());
            }

            writer.WriteEndElement();
        }

        return buffer.ToArray();
    }

    /// <summary>Exactly one Status, Enabled or Suspended, under a VersioningConfiguration root; namespaces are not checked.</summary>
    internal static bool TryParse(byte[] body, out LocalOssVersioningStatus status)
    {
        status = default;
        string? found = null;
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(body), ReaderSettings);
            reader.MoveToContent();
            if (reader.LocalName != "VersioningConfiguration")
            {
                return false;
            }

            if (reader.IsEmptyElement)
            {
                return false;
            }

            reader.Read();
            while (reader.NodeType == XmlNodeType.Element)
            {
                if (reader.LocalName != "Status" || found is not null)
                {
                    return false;
                }

                found = reader.ReadElementContentAsString();
            }

            if (reader.NodeType != XmlNodeType.EndElement)
            {
                return false;
            }
        }
        catch (XmlException)
        {
            return false;
        }

        switch (found)
        {
            case nameof(LocalOssVersioningStatus.Enabled):
                status = LocalOssVersioningStatus.Enabled;
                return true;
            case nameof(LocalOssVersioningStatus.Suspended):
                status = LocalOssVersioningStatus.Suspended;
                return true;
            default:
                return false;
        }
    }

    /// <returns>The body, or null when it is larger than any versioning document.</returns>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodySize)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodySize)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
