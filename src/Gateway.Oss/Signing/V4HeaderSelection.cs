namespace Gateway.Oss.Signing;

/// <summary>Which headers a V4 signature covers (SIGNING.md §2.3 line 4): Content-Type, Content-MD5, every x-oss-*
/// header, and the additional ones.</summary>
internal static class V4HeaderSelection
{
    /// <summary>Picks the headers to sign from what the request carries. Returns the additional names actually present.</summary>
    public static int FromRequest(HttpRequestMessage request, string[] additional, HeaderField[] destination, out string[] signedAdditional)
    {
        var count = 0;
        var hostSigned = false;
        foreach (var header in request.Headers.NonValidated)
        {
            if (OssV4.IsDefaultSignedHeader(header.Key) || (additional.Length > 0 && AdditionalHeaderNames.Contains(additional, header.Key)))
            {
                destination[count++] = new HeaderField(header.Key, header.Value.ToString());
                hostSigned |= AsciiText.EqualsLower(header.Key, "host");
            }
        }

        if (request.Content is { } content)
        {
            foreach (var header in content.Headers.NonValidated)
            {
                if (OssV4.IsDefaultSignedHeader(header.Key) || (additional.Length > 0 && AdditionalHeaderNames.Contains(additional, header.Key)))
                {
                    destination[count++] = new HeaderField(header.Key, header.Value.ToString());
                }
            }
        }

        // HttpClient derives Host from the URI when the request does not set it; sign what will be sent.
        if (!hostSigned && additional.Length > 0 && AdditionalHeaderNames.Contains(additional, "host") && request.RequestUri is { IsAbsoluteUri: true } uri)
        {
            destination[count++] = new HeaderField("host", uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}");
        }

        signedAdditional = additional.Length == 0 ? additional : KeepPresent(additional, destination.AsSpan(0, count));
        return count;
    }

    private static string[] KeepPresent(string[] additional, ReadOnlySpan<HeaderField> signed)
    {
        var present = new List<string>(additional.Length);
        foreach (var name in additional)
        {
            foreach (var field in signed)
            {
                if (AsciiText.EqualsLower(field.Name, name))
                {
                    present.Add(name);
                    break;
                }
            }
        }

        return present.Count == additional.Length ? additional : [.. present];
    }

    /// <summary>
    /// A name given twice becomes one entry, its values trimmed and joined by ',' exactly as the canonical request
    /// joins them. Two entries would be ambiguous on the wire: sent as two lines the server joins them with ',', but
    /// HttpClient folds them into one line joined by ", ", which is a different signed value. One entry is sent as
    /// one line by every client. (Found by SigningProperties; kept as a test in OssV4SignerTests.)
    /// </summary>
    private static void AddOrJoin(List<KeyValuePair<string, string>> signed, string name, string value)
    {
        for (var i = 0; i < signed.Count; i++)
        {
            if (string.Equals(signed[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                signed[i] = new(signed[i].Key, $"{AsciiText.TrimHeaderValue(signed[i].Value)},{AsciiText.TrimHeaderValue(value)}");
                return;
            }
        }

        signed.Add(new(name, value));
    }

    /// <summary>Selects the presign headers that are signed; every listed additional header must be given, except
    /// host, which comes from the endpoint (as JAVA does) because a URL without it could not be verified.</summary>
    public static List<KeyValuePair<string, string>> ForPresign(IReadOnlyList<KeyValuePair<string, string>> headers, string[] additional, string hostHeader)
    {
        var signed = new List<KeyValuePair<string, string>>(headers.Count + 1);
        foreach (var header in headers)
        {
            ArgumentException.ThrowIfNullOrEmpty(header.Key, nameof(OssPresignOptions.Headers));
            if (!OssV4.IsDefaultSignedHeader(header.Key) && !AdditionalHeaderNames.Contains(additional, header.Key))
            {
                continue;
            }

            // The canonical request's payload line is this header's value, and OSS accepts no other (DOC 0002-00000214).
            if (AsciiText.EqualsLower(header.Key, OssV4.ContentSha256Header) && header.Value != OssV4.UnsignedPayload)
            {
                throw new ArgumentException("OSS accepts only UNSIGNED-PAYLOAD as x-oss-content-sha256.", nameof(OssPresignOptions.Headers));
            }

            AddOrJoin(signed, header.Key, header.Value ?? string.Empty);
        }

        foreach (var name in additional)
        {
            var found = false;
            foreach (var header in signed)
            {
                found |= AsciiText.EqualsLower(header.Key, name);
            }

            if (found)
            {
                continue;
            }

            if (name == "host")
            {
                signed.Add(new("host", hostHeader));
                continue;
            }

            // NODE refuses too: a URL that silently does not bind a header the caller asked for is a surprise.
            throw new ArgumentException($"The additional header '{name}' is not among the presign headers.", nameof(OssPresignOptions.AdditionalHeaders));
        }

        return signed;
    }
}
