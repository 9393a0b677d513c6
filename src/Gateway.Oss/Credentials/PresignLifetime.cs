namespace Gateway.Oss;

/// <summary>A presigned URL stops working with the temporary credentials that signed it: it never promises longer.</summary>
internal static class PresignLifetime
{
    public static long Cap(long requestedSeconds, OssCredentials credentials, DateTimeOffset now)
    {
        if (credentials.Expiration is not { } expiration)
        {
            return requestedSeconds;
        }

        var remaining = (long)Math.Floor((expiration - now).TotalSeconds);
        return remaining >= 1
            ? Math.Min(requestedSeconds, remaining)
            : throw new OssCredentialsUnavailableException("The credentials expire before a presigned URL could be used.");
    }
}
