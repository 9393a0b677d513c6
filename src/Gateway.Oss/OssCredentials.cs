namespace Gateway.Oss;

/// <summary>An access key pair, optionally with an STS security token.</summary>
public sealed record OssCredentials(string AccessKeyId, string AccessKeySecret, string? SecurityToken = null)
{
    // An id with '/' or ':' would split differently in the V4 credential or the V1 "OSS ak:signature" header,
    // producing signatures nobody can verify: refuse it here rather than at the first request.
    public string AccessKeyId { get; init; } =
        !string.IsNullOrWhiteSpace(AccessKeyId) && !AccessKeyId.AsSpan().ContainsAny("/: \t")
            ? AccessKeyId
            : throw new ArgumentException("The access key id must be non-empty and contain no '/', ':' or whitespace.", nameof(AccessKeyId));

    public string AccessKeySecret { get; init; } =
        !string.IsNullOrEmpty(AccessKeySecret) ? AccessKeySecret : throw new ArgumentException("The access key secret must be non-empty.", nameof(AccessKeySecret));

    // Records print every member by default; the secret and the token must never reach a log.
    public override string ToString() =>
        $"OssCredentials {{ AccessKeyId = {AccessKeyId}, AccessKeySecret = ***, SecurityToken = {(SecurityToken is null ? "(none)" : "***")} }}";
}
