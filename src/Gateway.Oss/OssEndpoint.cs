using Gateway.Oss.Signing;

namespace Gateway.Oss;

/// <summary>Where a bucket lives and how it is addressed.</summary>
public sealed class OssEndpoint
{
    // "scheme://authority/" for the styles whose path starts with the key, "scheme://authority/bucket/" for Path.
    private readonly string _uriPrefix;

    /// <param name="endpoint">The service endpoint, e.g. https://oss-cn-hangzhou.aliyuncs.com, http://127.0.0.1:9000 or https://files.example.com (Cname). No path, query or user info.</param>
    /// <param name="bucket">The bucket name; part of every signature whatever the style.</param>
    /// <param name="region">The signing region, e.g. cn-hangzhou (no "oss-" prefix); for CloudBox the CloudBox id.</param>
    /// <param name="style">How the bucket appears in the URL.</param>
    /// <param name="product">"oss", or "oss-cloudbox" for CloudBox.</param>
    public OssEndpoint(Uri endpoint, string bucket, string region, OssAddressingStyle style, string product = "oss")
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ValidateEndpoint(endpoint, style);
        ValidateBucket(bucket);
        ValidateScopePart(region, nameof(region));
        ValidateScopePart(product, nameof(product));
        if (!Enum.IsDefined(style))
        {
            throw new ArgumentOutOfRangeException(nameof(style), style, "Unknown addressing style.");
        }

        Endpoint = endpoint;
        Bucket = bucket;
        Region = region;
        Product = product;
        Style = style;
        HostHeader = style == OssAddressingStyle.VirtualHosted ? $"{bucket}.{endpoint.Authority}" : endpoint.Authority;
        _uriPrefix = style == OssAddressingStyle.Path
            ? $"{endpoint.Scheme}://{HostHeader}/{bucket}/"
            : $"{endpoint.Scheme}://{HostHeader}/";
    }

    public Uri Endpoint { get; }

    public string Bucket { get; }

    /// <summary>The signing region (for CloudBox, the CloudBox id).</summary>
    public string Region { get; }

    public string Product { get; }

    public OssAddressingStyle Style { get; }

    /// <summary>The Host header a request to this endpoint carries (with the port when it is not the default).</summary>
    internal string HostHeader { get; }

    /// <summary>The exact request URI for an object: VirtualHosted https://bucket.host/key, Path http://host:port/bucket/key, Cname https://host/key.</summary>
    /// <param name="key">The decoded object key; "" addresses the bucket itself.</param>
    /// <param name="query">Decoded query parameters, rendered in this order; an empty value is rendered as the bare name.</param>
    public Uri BuildObjectUri(string key, IReadOnlyList<KeyValuePair<string, string>>? query = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var buffer = new CharBuffer(stackalloc char[512]);
        try
        {
            AppendObjectUri(ref buffer, key);
            if (query is not null)
            {
                AppendQuery(ref buffer, query);
            }

            return OssUris.CreateRaw(buffer.ToString());
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <summary>Appends the URI up to and including the encoded key, without a query.</summary>
    internal void AppendObjectUri(ref CharBuffer buffer, string key)
    {
        buffer.Append(_uriPrefix);
        OssPercentEncoding.Append(ref buffer, key, keepSlash: true);
    }

    internal static void AppendQuery(ref CharBuffer buffer, IReadOnlyList<KeyValuePair<string, string>> query)
    {
        for (var i = 0; i < query.Count; i++)
        {
            var (name, value) = query[i];
            ArgumentException.ThrowIfNullOrEmpty(name, nameof(query));
            buffer.Append(i == 0 ? '?' : '&');
            OssPercentEncoding.Append(ref buffer, name, keepSlash: false);
            if (!string.IsNullOrEmpty(value))
            {
                buffer.Append('=');
                OssPercentEncoding.Append(ref buffer, value, keepSlash: false);
            }
        }
    }

    private static void ValidateEndpoint(Uri endpoint, OssAddressingStyle style)
    {
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("The endpoint must be an absolute http or https URI.", nameof(endpoint));
        }

        if (endpoint.AbsolutePath != "/" || endpoint.Query.Length > 0 || endpoint.Fragment.Length > 0 || endpoint.UserInfo.Length > 0)
        {
            throw new ArgumentException("The endpoint must be scheme://host[:port] only, without path, query, fragment or user info.", nameof(endpoint));
        }

        if (style == OssAddressingStyle.VirtualHosted && endpoint.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            throw new ArgumentException("An IP endpoint cannot carry the bucket in its host name; use OssAddressingStyle.Path.", nameof(endpoint));
        }
    }

    // OSS bucket names: 3-63 characters of a-z, 0-9 and '-', starting and ending alphanumeric (SIGNING.md §11.1).
    private static void ValidateBucket(string bucket)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        var valid = bucket.Length is >= 3 and <= 63
            && !bucket.StartsWith('-')
            && !bucket.EndsWith('-')
            && !bucket.AsSpan().ContainsAnyExcept("abcdefghijklmnopqrstuvwxyz0123456789-");
        if (!valid)
        {
            throw new ArgumentException($"'{bucket}' is not a valid OSS bucket name (3-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit).", nameof(bucket));
        }
    }

    private static void ValidateScopePart(string value, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, name);
        if (value.AsSpan().ContainsAny("/ \t\r\n"))
        {
            throw new ArgumentException($"The {name} '{value}' cannot contain '/' or whitespace: it is part of the signing scope.", name);
        }
    }
}
