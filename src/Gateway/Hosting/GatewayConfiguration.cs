using Microsoft.Extensions.Options;

namespace Gateway.Hosting;

internal static class GatewayConfiguration
{
    /// <summary>
    /// Binds and validates the <c>Gateway</c> section. <c>config/gateway.json</c> under the content
    /// root (or the file named by <c>GATEWAY_CONFIG_FILE</c>) joins the sources after appsettings;
    /// environment variables and the command line still override it.
    /// </summary>
    public static WebApplicationBuilder AddGatewayConfiguration(this WebApplicationBuilder builder, string[] args)
    {
        var configFile = Environment.GetEnvironmentVariable("GATEWAY_CONFIG_FILE")
            ?? Path.Combine(builder.Environment.ContentRootPath, "config", "gateway.json");
        builder.Configuration
            .AddJsonFile(Path.GetFullPath(configFile), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables()
            .AddCommandLine(args);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        builder.Services.AddOptions<GatewayOptions>()
            .Bind(builder.Configuration.GetSection(GatewayOptions.SectionName))
            .ValidateOnStart();
        return builder;
    }
}
