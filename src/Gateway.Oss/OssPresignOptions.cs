namespace Gateway.Oss;

/// <summary>What to presign.</summary>
public sealed class OssPresignOptions
{
    /// <summary>The longest lifetime OSS accepts for a V4 URL (7 days).</summary>
    public static readonly TimeSpan MaxExpires = TimeSpan.FromSeconds(604800);

    private readonly TimeSpan _expires = TimeSpan.FromMinutes(15);

    /// <summary>The HTTP method the URL is for; the method is signed.</summary>
    public string Method { get; init; } = "GET";

    /// <summary>The decoded object key.</summary>
    public required string Key { get; init; }

    /// <summary>Lifetime, 1 s to 604800 s in whole seconds (fractions are dropped). Defaults to 15 minutes like the SDKs.</summary>
    public TimeSpan Expires
    {
        get => _expires;
        init
        {
            if (value < TimeSpan.FromSeconds(1) || value > MaxExpires)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Expires must be between 1 second and 604800 seconds (7 days).");
            }

            _expires = value;
        }
    }

    /// <summary>Decoded query parameters to sign into the URL: versionId, response-*, x-oss-traffic-limit, x-oss-ac-*, ...</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];

    /// <summary>Headers the user of the URL must send and that get signed (Content-Type, Content-MD5, x-oss-*, and the additional ones).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Further header names to sign (V4 only). <c>host</c> is taken from the endpoint when not in <see cref="Headers"/>.</summary>
    public IReadOnlyCollection<string> AdditionalHeaders { get; init; } = [];
}
