namespace Gateway.Oss.Signing;

/// <summary>Builds the V4 canonical request (SIGNING.md §2.3), shared by the signer, the presigner and the verifier
/// so that all three agree byte for byte.</summary>
internal static class V4CanonicalRequest
{
    /// <summary>Encodes the decoded parameters into <paramref name="destination"/> and sorts them bytewise by encoded
    /// name, then value (what GO2, PY1, PY2 and JAVA do); skips <paramref name="excludedName"/>. Returns the count.</summary>
    public static int PrepareQuery(IReadOnlyList<KeyValuePair<string, string>> query, string? excludedName, Span<CanonicalQueryParameter> destination)
    {
        var count = 0;
        for (var i = 0; i < query.Count; i++)
        {
            var (name, value) = query[i];
            if (excludedName is not null && string.Equals(name, excludedName, StringComparison.Ordinal))
            {
                continue;
            }

            destination[count++] = new CanonicalQueryParameter(
                OssPercentEncoding.EncodeQueryComponent(name),
                string.IsNullOrEmpty(value) ? string.Empty : OssPercentEncoding.EncodeQueryComponent(value));
        }

        destination[..count].Sort(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.EncodedName, b.EncodedName);
            return byName != 0 ? byName : string.CompareOrdinal(a.EncodedValue, b.EncodedValue);
        });
        return count;
    }

    /// <summary>Sorts by lower-cased name. Stable, so repeated headers keep the order they arrived in, which is
    /// the order their values are joined in.</summary>
    public static void SortHeaders(Span<HeaderField> headers)
    {
        for (var i = 1; i < headers.Length; i++)
        {
            var current = headers[i];
            var j = i - 1;
            while (j >= 0 && AsciiText.CompareLowerOrdinal(headers[j].Name, current.Name) > 0)
            {
                headers[j + 1] = headers[j];
                j--;
            }

            headers[j + 1] = current;
        }
    }

    /// <summary>Writes <c>name=value&amp;...</c>, an empty value as the bare name.</summary>
    public static void WriteQuery(ref CharBuffer buffer, ReadOnlySpan<CanonicalQueryParameter> sortedQuery)
    {
        for (var i = 0; i < sortedQuery.Length; i++)
        {
            if (i > 0)
            {
                buffer.Append('&');
            }

            buffer.Append(sortedQuery[i].EncodedName);
            if (sortedQuery[i].EncodedValue.Length > 0)
            {
                buffer.Append('=');
                buffer.Append(sortedQuery[i].EncodedValue);
            }
        }
    }

    /// <summary>Writes the canonical URI: "/bucket/" + encoded key, or "/" without a bucket.</summary>
    public static void WriteUri(ref CharBuffer buffer, string bucket, string key)
    {
        buffer.Append('/');
        if (bucket.Length == 0)
        {
            return;
        }

        buffer.Append(bucket);
        buffer.Append('/');
        OssPercentEncoding.Append(ref buffer, key, keepSlash: true);
    }

    /// <summary>Writes the whole canonical request. <paramref name="sortedHeaders"/> holds only the headers to sign,
    /// sorted with <see cref="SortHeaders"/>; repeated names are joined with ','.</summary>
    public static void Write(
        ref CharBuffer buffer,
        ReadOnlySpan<char> method,
        string bucket,
        string key,
        ReadOnlySpan<CanonicalQueryParameter> sortedQuery,
        ReadOnlySpan<HeaderField> sortedHeaders,
        ReadOnlySpan<char> additionalHeaders,
        ReadOnlySpan<char> payloadHash)
    {
        buffer.Append(method);
        buffer.Append('\n');
        WriteUri(ref buffer, bucket, key);
        buffer.Append('\n');
        WriteQuery(ref buffer, sortedQuery);
        buffer.Append('\n');
        for (var i = 0; i < sortedHeaders.Length; i++)
        {
            var continuesPrevious = i > 0 && AsciiText.CompareLowerOrdinal(sortedHeaders[i - 1].Name, sortedHeaders[i].Name) == 0;
            if (continuesPrevious)
            {
                // Replace the previous line's '\n' with the separator of the joined values.
                buffer.Truncate(buffer.Length - 1);
                buffer.Append(',');
            }
            else
            {
                buffer.AppendLowerAscii(sortedHeaders[i].Name);
                buffer.Append(':');
            }

            buffer.Append(AsciiText.TrimHeaderValue(sortedHeaders[i].Value));
            buffer.Append('\n');
        }

        buffer.Append('\n');
        buffer.Append(additionalHeaders);
        buffer.Append('\n');
        buffer.Append(payloadHash);
    }
}
