namespace LocalOss.Addressing;

/// <summary>What a request addresses: bucket ("" for the service), object key ("" for the bucket) and the decoded query.</summary>
internal sealed class OssRequestTarget
{
    public required string Bucket { get; init; }

    public required string Key { get; init; }

    /// <summary>Decoded names and values in wire order; a parameter without '=' has the value "".</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Query { get; init; }

    public bool VirtualHosted { get; init; }

    /// <summary>The first value of a query parameter (names are case-sensitive, as in OSS), or null.</summary>
    public string? GetQueryValue(string name)
    {
        for (var i = 0; i < Query.Count; i++)
        {
            if (string.Equals(Query[i].Key, name, StringComparison.Ordinal))
            {
                return Query[i].Value;
            }
        }

        return null;
    }
}
