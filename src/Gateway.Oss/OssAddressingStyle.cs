namespace Gateway.Oss;

/// <summary>How the bucket appears in the request URL. The signature never depends on it.</summary>
public enum OssAddressingStyle
{
    /// <summary><c>https://bucket.endpoint-host/key</c>, the default of every SDK.</summary>
    VirtualHosted,

    /// <summary><c>http://host:port/bucket/key</c>, for IP endpoints and emulators.</summary>
    Path,

    /// <summary><c>https://custom-domain/key</c>; the domain is bound to the bucket.</summary>
    Cname,
}
