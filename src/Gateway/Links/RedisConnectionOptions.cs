using StackExchange.Redis;

namespace Gateway.Links;

internal static class RedisConnectionOptions
{
    /// <summary>
    /// The operator's connection string, with the choices the download path depends on made explicit:
    /// start even while Redis is down (PITFALLS 12), and fail fast instead of queueing commands while
    /// disconnected (PITFALLS 13), so a download answers 503 in milliseconds rather than stalling.
    /// </summary>
    public static ConfigurationOptions Create(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ClientName ??= "gateway";
        if (!connectionString.Contains("asyncTimeout", StringComparison.OrdinalIgnoreCase))
        {
            // A link lookup is one small round trip; two seconds without an answer means the store is in trouble.
            options.AsyncTimeout = 2000;
        }

        if (!connectionString.Contains("connectTimeout", StringComparison.OrdinalIgnoreCase))
        {
            options.ConnectTimeout = 3000;
        }

        return options;
    }
}
