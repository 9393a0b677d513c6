using System.Globalization;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Webhooks;

/// <summary>
/// Gateway settings for webhook tests: the admin key gets the <c>webhooks</c> scope, private networks are
/// allowed (the <see cref="WebhookReceiver"/> listens on http://127.0.0.1), and the retry schedule, lease and
/// polling are cut from minutes to fractions of a second so retries happen within a test.
/// </summary>
public static class WebhookSettings
{
    public const string Scope = "webhooks";

    public static void Apply(Dictionary<string, string?> settings)
    {
        settings["Gateway:Admin:ApiKeys:admin:Scopes:4"] = Scope;
        settings["Gateway:Webhooks:AllowPrivateNetworks"] = "true";
        settings["Gateway:Webhooks:RetryBackoff:0"] = "00:00:00.200";
        settings["Gateway:Webhooks:AttemptTimeout"] = "00:00:02";
        settings["Gateway:Webhooks:Lease"] = "00:00:04";
        settings["Gateway:Webhooks:PollInterval"] = "00:00:00.100";
        settings["Gateway:Webhooks:EndpointRefreshInterval"] = "00:00:00.500";
    }

    /// <summary>Starts a gateway environment with <see cref="Apply"/> and then <paramref name="configure"/>.</summary>
    public static Task<GatewayTestEnvironment> StartAsync(Action<Dictionary<string, string?>>? configure = null) =>
        GatewayTestEnvironment.StartAsync(settings =>
        {
            Apply(settings);
            configure?.Invoke(settings);
        });

    /// <summary>Another gateway on the environment's store with the same webhook settings (a replica, or the one after a restart). The caller disposes it.</summary>
    public static Task<GatewayInstance> StartReplicaAsync(GatewayTestEnvironment env, Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = GatewayTestEnvironment.GatewaySettings(env.Directory, env.Store.ConnectionString, env.Oss.BaseAddress);
        Apply(settings);
        configure?.Invoke(settings);
        return GatewayInstance.StartAsync(settings);
    }

    public static string Seconds(double seconds) => TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture);
}
