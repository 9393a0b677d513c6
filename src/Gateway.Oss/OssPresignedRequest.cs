namespace Gateway.Oss;

/// <summary>A presigned URL and the headers its user must send with exactly these values.</summary>
public sealed record OssPresignedRequest(string Method, Uri Url, DateTimeOffset Expiration, IReadOnlyList<KeyValuePair<string, string>> SignedHeaders)
{
    // The query carries the signature and, for STS, the token: print only what identifies the request.
    public override string ToString() =>
        $"OssPresignedRequest {{ Method = {Method}, Url = {Url.GetLeftPart(UriPartial.Path)}?***, Expiration = {Expiration:O}, SignedHeaders = {SignedHeaders.Count} }}";
}
