namespace Gateway.Oss;

/// <summary>Reads OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET and the optional OSS_SESSION_TOKEN once, at construction.</summary>
public sealed class EnvironmentCredentialsProvider : IOssCredentialsProvider
{
    public const string AccessKeyIdVariable = "OSS_ACCESS_KEY_ID";
    public const string AccessKeySecretVariable = "OSS_ACCESS_KEY_SECRET";
    public const string SessionTokenVariable = "OSS_SESSION_TOKEN";

    private readonly OssCredentials _credentials;

    public EnvironmentCredentialsProvider(Func<string, string?>? getEnvironmentVariable = null)
    {
        getEnvironmentVariable ??= Environment.GetEnvironmentVariable;
        var token = getEnvironmentVariable(SessionTokenVariable);
        _credentials = new OssCredentials(
            Require(getEnvironmentVariable, AccessKeyIdVariable),
            Require(getEnvironmentVariable, AccessKeySecretVariable),
            string.IsNullOrWhiteSpace(token) ? null : token.Trim());
    }

    public OssCredentials GetCredentials() => _credentials;

    private static string Require(Func<string, string?> getEnvironmentVariable, string name)
    {
        var value = getEnvironmentVariable(name);
        return string.IsNullOrWhiteSpace(value)
            ? throw new InvalidOperationException($"The environment variable {name} is not set; OSS credentials cannot be read from the environment.")
            : value.Trim();
    }
}
