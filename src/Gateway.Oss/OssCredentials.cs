namespace Gateway.Oss;
public sealed record OssCredentials(string AccessKeyId, string AccessKeySecret, string? SecurityToken = null);
