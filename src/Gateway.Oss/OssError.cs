using System.Buffers;
using System.Text;
using System.Xml;

namespace Gateway.Oss;

/// <summary>An OSS error response: the XML body <c>&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;RequestId/&gt;&lt;HostId/&gt;&lt;EC/&gt;...&lt;/Error&gt;</c>,
/// or the base64 <c>x-oss-err</c> header that replaces the body of a HEAD error (SIGNING.md §9).</summary>
public sealed record OssError(string Code, string Message, string? RequestId, string? Ec)
{
    /// <summary>The header OSS puts the base64 error XML in when the response has no body.</summary>
    public const string ErrorHeader = "x-oss-err";

    // Error bodies come from the network: no DTDs, no external entities, bounded size.
    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreWhitespace = true,
        IgnoreProcessingInstructions = true,
        MaxCharactersInDocument = 1 << 20,
    };

    private static readonly XmlWriterSettings WriterSettings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        Indent = false,
        NewLineHandling = NewLineHandling.None,
    };

    /// <summary>Parses an error body. False when it is not well-formed XML with an &lt;Error&gt; root and a non-empty &lt;Code&gt;.</summary>
    public static bool TryParse(ReadOnlySpan<byte> xml, out OssError? error)
    {
        error = null;
        if (xml.IsEmpty)
        {
            return false;
        }

        string? code = null;
        string? message = null;
        string? requestId = null;
        string? ec = null;
        try
        {
            using var stream = new MemoryStream(xml.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, ReaderSettings);
            if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != "Error" || reader.IsEmptyElement)
            {
                return false;
            }

            reader.Read();
            while (reader.NodeType != XmlNodeType.EndElement && !reader.EOF)
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    reader.Skip();
                    continue;
                }

                switch (reader.LocalName)
                {
                    case "Code":
                        code = reader.ReadElementContentAsString();
                        break;
                    case "Message":
                        message = reader.ReadElementContentAsString();
                        break;
                    case "RequestId":
                        requestId = reader.ReadElementContentAsString();
                        break;
                    case "EC":
                        ec = reader.ReadElementContentAsString();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (XmlException)
        {
            return false;
        }

        if (string.IsNullOrWhiteSpace(code))
        {
            return false;
        }

        error = new OssError(code, message ?? string.Empty, NullIfEmpty(requestId), NullIfEmpty(ec));
        return true;
    }

    /// <summary>Parses the base64 <c>x-oss-err</c> header of a HEAD (or other body-less) error response.</summary>
    public static bool TryParseHeader(string? base64, out OssError? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(base64))
        {
            return false;
        }

        var rented = ArrayPool<byte>.Shared.Rent(base64.Length);
        try
        {
            return Convert.TryFromBase64String(base64.Trim(), rented, out var written) && TryParse(rented.AsSpan(0, written), out error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Renders the body OSS would send: Code, Message, RequestId, HostId, the extra elements, EC and RecommendDoc.</summary>
    public string ToXml(string? hostId = null, IReadOnlyList<KeyValuePair<string, string>>? details = null)
    {
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, WriterSettings))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement("Error");
            writer.WriteElementString("Code", XmlSafe(Code));
            writer.WriteElementString("Message", XmlSafe(Message));
            writer.WriteElementString("RequestId", XmlSafe(RequestId ?? string.Empty));
            writer.WriteElementString("HostId", XmlSafe(hostId ?? string.Empty));
            foreach (var (name, value) in details ?? [])
            {
                writer.WriteElementString(name, XmlSafe(value));
            }

            if (Ec is not null)
            {
                writer.WriteElementString("EC", Ec);
                writer.WriteElementString("RecommendDoc", "https://api.aliyun.com/troubleshoot?q=" + Ec);
            }

            writer.WriteEndElement();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    // Keys may contain characters XML 1.0 cannot carry (control characters); OSS would not echo them either.
    private static string XmlSafe(string text)
    {
        StringBuilder? builder = null;
        for (var i = 0; i < text.Length; i++)
        {
            var pair = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            var valid = pair || XmlConvert.IsXmlChar(text[i]);
            if (!valid && builder is null)
            {
                builder = new StringBuilder(text.Length).Append(text, 0, i);
            }

            if (builder is not null)
            {
                if (pair)
                {
                    builder.Append(text, i, 2);
                }
                else
                {
                    builder.Append(valid ? text[i] : '\uFFFD');
                }
            }

            if (pair)
            {
                i++;
            }
        }

        return builder?.ToString() ?? text;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
