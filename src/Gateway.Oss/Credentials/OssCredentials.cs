namespace Gateway.Oss;

/// <summary>An access key pair, optionally with an STS security token and the instant it stops working.</summary>
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

    /// <summary>When temporary (STS) credentials expire; null for a long-lived AccessKey.</summary>
    public DateTimeOffset? Expiration { get; init; }

    /// <summary>How long these credentials still work at <paramref name="now"/>; <see cref="TimeSpan.MaxValue"/> when they do not expire.</summary>
    public TimeSpan RemainingAt(DateTimeOffset now) => Expiration is { } expiration ? expiration - now : TimeSpan.MaxValue;

    // Records print every member by default; the secret and the token must never reach a log.
    public override string ToString() =>
        $"OssCredentials {{ AccessKeyId = {AccessKeyId}, AccessKeySecret = ***, SecurityToken = {(SecurityToken is null ? "(none)" : "***")}, Expiration = {Expiration?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"} }}";
}
