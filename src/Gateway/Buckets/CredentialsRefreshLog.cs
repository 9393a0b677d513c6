using Gateway.Oss;
using Gateway.Telemetry;

namespace Gateway.Buckets;

/// <summary>Logs and counts one bucket's credential refreshes. Never a secret or token: only types, times and error messages that carry none.</summary>
internal sealed partial class CredentialsRefreshLog(string bucket, ILogger logger, GatewayMetrics metrics) : ICredentialsRefreshObserver
{
    public void Refreshed(string type, bool forced, DateTimeOffset? expiration)
    {
        metrics.CredentialsRefreshed(bucket, type, forced ? "forced" : "refreshed");
        Log.Refreshed(logger, bucket, type, forced, expiration);
    }

    public void RefreshFailed(string type, Exception error, DateTimeOffset? current)
    {
        metrics.CredentialsRefreshed(bucket, type, "failed");
        if (current is { } expiration)
        {
            Log.RefreshFailedStillValid(logger, bucket, type, expiration, error.Message);
        }
        else
        {
            Log.RefreshFailedNone(logger, bucket, type, error.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Bucket {Bucket}: new {CredentialsType} credentials (forced: {Forced}), expiring {Expiration:u}")]
        public static partial void Refreshed(ILogger logger, string bucket, string credentialsType, bool forced, DateTimeOffset? expiration);

        // The exception's message only (never the object): HTTP stack traces add nothing and inner
        // exceptions are not ours to vouch for.
        [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Bucket {Bucket}: refreshing {CredentialsType} credentials failed; the current ones keep serving until {Expiration:u}: {Error}")]
        public static partial void RefreshFailedStillValid(ILogger logger, string bucket, string credentialsType, DateTimeOffset expiration, string error);

        [LoggerMessage(EventId = 1303, Level = LogLevel.Error, Message = "Bucket {Bucket}: fetching {CredentialsType} credentials failed and there are none to serve with: {Error}")]
        public static partial void RefreshFailedNone(ILogger logger, string bucket, string credentialsType, string error);
    }
}
