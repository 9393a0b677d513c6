using System.Globalization;
using System.Text.Json;
using Gateway.Buckets;
using Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Presign;

/// <summary>
/// <c>gateway presign --bucket &lt;alias&gt; --key &lt;key&gt; [...]</c>: prints a raw OSS V4 presigned URL
/// (and the headers its user must send) and exits. It reads the server's configuration the server's
/// way (appsettings, config/gateway.json, environment, <c>--Gateway:...</c> arguments) but starts
/// nothing: no web server, no store, no demo. Demo buckets exist only while a demo server runs, so
/// with no bucket configured it says so. It holds the bucket credentials itself, so it needs no API
/// key and, touching no store, writes no audit entry.
/// </summary>
internal static class PresignCommand
{
    public const string Name = "presign";

    public const int Success = 0;
    public const int SigningFailed = 1;
    public const int UsageError = 2;
    public const int ConfigurationError = 3;

    private const string Usage = """
        Usage: gateway presign --bucket <alias> --key <key> [options] [--Gateway:...=<value> ...]

        Prints a presigned OSS URL on the first line, then each header the user of the URL must send,
        one 'Name: value' per line. With --json, prints the same JSON as POST /api/v1/presign.

        Options:
          --bucket <alias>                 bucket alias from Gateway:Buckets (required)
          --key <key>                      object key (required)
          --method <GET|HEAD|PUT|DELETE>   default GET
          --expires <seconds>              1-604800, default 900
          --version-id <id>                a version of the object
          --header 'Name: value'           a header to sign and send (repeatable): Content-Type,
                                           Content-MD5, x-oss-meta-*, x-oss-*, others as additional headers
          --traffic-limit <bit/s>          x-oss-traffic-limit, 819200-838860800
          --source-ip <address>            x-oss-ac-source-ip
          --subnet-mask <bits>             x-oss-ac-subnet-mask
          --vpc-id <id>                    x-oss-ac-vpc-id
          --forward-allow                  x-oss-ac-forward-allow=true
          --response-content-type <v>      and --response-content-disposition, --response-cache-control,
                                           --response-expires, --response-content-language,
                                           --response-content-encoding: response header overrides (GET, HEAD)
          --json                           print JSON instead
          -h, --help                       this text

        Configuration is read as the server reads it; arguments such as --Gateway:Buckets:media:Region=cn-hangzhou
        and environment variables such as Gateway__Buckets__media__Region override it.

        Exit codes: 0 printed; 1 signing failed; 2 invalid arguments; 3 configuration missing or invalid.
        """;

    private static readonly Dictionary<string, Action<PresignRequest, string>> ValueOptions = new(StringComparer.Ordinal)
    {
        ["--bucket"] = static (r, v) => r.Bucket = v,
        ["--key"] = static (r, v) => r.Key = v,
        ["--method"] = static (r, v) => r.Method = v.ToUpperInvariant(),
        ["--version-id"] = static (r, v) => r.VersionId = v,
        ["--source-ip"] = static (r, v) => r.SourceIp = v,
        ["--vpc-id"] = static (r, v) => r.VpcId = v,
        ["--response-content-type"] = static (r, v) => r.ResponseContentType = v,
        ["--response-content-disposition"] = static (r, v) => r.ResponseContentDisposition = v,
        ["--response-cache-control"] = static (r, v) => r.ResponseCacheControl = v,
        ["--response-expires"] = static (r, v) => r.ResponseExpires = v,
        ["--response-content-language"] = static (r, v) => r.ResponseContentLanguage = v,
        ["--response-content-encoding"] = static (r, v) => r.ResponseContentEncoding = v,
    };

    /// <summary>Runs the command with <paramref name="args"/> (those after "presign"); returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var request = new PresignRequest();
        var configurationArgs = new List<string>();
        var json = false;
        for (var i = 0; i < args.Length; i++)
        {
            var (name, inlineValue) = SplitOption(args[i]);
            if (name is "-h" or "--help")
            {
                await output.WriteLineAsync(Usage).ConfigureAwait(false);
                return Success;
            }

            if (name == "--json")
            {
                json = true;
            }
            else if (name == "--forward-allow")
            {
                request.ForwardAllow = true;
            }
            else if (name.StartsWith("--", StringComparison.Ordinal) && name.Contains(':', StringComparison.Ordinal))
            {
                // A configuration key, passed on as the server would take it: --Key=value or --Key value.
                configurationArgs.Add(args[i]);
                if (inlineValue is null && i + 1 < args.Length)
                {
                    configurationArgs.Add(args[++i]);
                }
            }
            else if (ValueOptions.ContainsKey(name) || name is "--expires" or "--traffic-limit" or "--subnet-mask" or "--header")
            {
                var value = inlineValue ?? (i + 1 < args.Length ? args[++i] : null);
                if (value is null)
                {
                    return await FailAsync(error, UsageError, $"{name} needs a value.").ConfigureAwait(false);
                }

                if (SetOption(request, name, value) is { } problem)
                {
                    return await FailAsync(error, UsageError, $"{name}: {problem}").ConfigureAwait(false);
                }
            }
            else
            {
                return await FailAsync(error, UsageError, $"unknown argument '{args[i]}'. See 'presign --help'.").ConfigureAwait(false);
            }
        }

        if (request.Bucket is null || request.Key is null)
        {
            return await FailAsync(error, UsageError, "--bucket and --key are required. See 'presign --help'.").ConfigureAwait(false);
        }

        var (buckets, configurationProblem) = LoadBuckets([.. configurationArgs]);
        if (buckets is null)
        {
            return await FailAsync(error, ConfigurationError, configurationProblem!).ConfigureAwait(false);
        }

        await using var ownedBuckets = buckets;

        // Temporary credentials (ECS RAM role, STS, RRSA, a credentials URI) are fetched once, now.
        await buckets.StartRefreshingAsync().ConfigureAwait(false);

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var plan = PresignValidator.Validate(request, buckets, errors);
        if (plan is null)
        {
            foreach (var (field, messages) in errors)
            {
                await error.WriteLineAsync($"presign: {OptionOf(field)}: {string.Join(" ", messages)}").ConfigureAwait(false);
            }

            return UsageError;
        }

        Oss.OssPresignedRequest? presigned;
        string? failure;
        try
        {
            presigned = PresignApi.Sign(plan, out failure);
        }
        catch (InvalidOperationException ex)
        {
            // The credentials provider found no credentials (e.g. OSS_ACCESS_KEY_ID unset).
            return await FailAsync(error, SigningFailed, ex.Message).ConfigureAwait(false);
        }

        if (presigned is null)
        {
            return await FailAsync(error, UsageError, failure!).ConfigureAwait(false);
        }

        var response = PresignApi.ToResponse(presigned);
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(response, PresignJsonContext.Default.PresignResponse)).ConfigureAwait(false);
            return Success;
        }

        await output.WriteLineAsync(response.Url).ConfigureAwait(false);
        foreach (var (header, value) in response.SignedHeaders)
        {
            await output.WriteLineAsync($"{header}: {value}").ConfigureAwait(false);
        }

        return Success;
    }

    /// <summary>
    /// The buckets as the server would see them: the same builder and configuration sources, the same
    /// validation. Nothing is started; the builder is only a way to read configuration identically.
    /// </summary>
    private static (BucketRegistry? Buckets, string? Problem) LoadBuckets(string[] configurationArgs)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = configurationArgs });
        builder.AddGatewayConfiguration(configurationArgs);
        if (!builder.Configuration.GetSection("Gateway:Buckets").GetChildren().Any())
        {
            return (null, "no bucket is configured. Configure one with Gateway:Buckets:<alias>:Endpoint, :Bucket, :Region " +
                "(and credentials) in config/gateway.json, environment variables (Gateway__Buckets__<alias>__Endpoint=...) " +
                "or arguments (--Gateway:Buckets:<alias>:Endpoint=...). Demo mode's bucket exists only while the demo server runs.");
        }

        try
        {
            var options = builder.Configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();
            var validation = new GatewayOptionsValidator(builder.Configuration).Validate(null, options);
            if (validation.Failed)
            {
                return (null, "invalid configuration: " + string.Join(" ", validation.Failures));
            }

            return (new BucketRegistry(Options.Create(options), TimeProvider.System, builder.Configuration), null);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // The binder names the key whose value does not convert (e.g. a malformed TimeSpan); the
            // endpoint checks what the validator leaves to them (e.g. an IP endpoint with VirtualHosted).
            return (null, "invalid configuration: " + ex.Message);
        }
    }

    private static string? SetOption(PresignRequest request, string name, string value)
    {
        if (ValueOptions.TryGetValue(name, out var set))
        {
            set(request, value);
            return null;
        }

        switch (name)
        {
            case "--expires":
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
                {
                    return "must be a whole number of seconds.";
                }

                request.Expires = expires;
                return null;
            case "--traffic-limit":
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var trafficLimit))
                {
                    return "must be a whole number of bit/s.";
                }

                request.TrafficLimit = trafficLimit;
                return null;
            case "--subnet-mask":
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var mask))
                {
                    return "must be a whole number of bits.";
                }

                request.SubnetMask = mask;
                return null;
            default:
                var colon = value.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    return "must be 'Name: value'.";
                }

                request.Headers ??= new Dictionary<string, string>(StringComparer.Ordinal);
                var header = value[..colon].Trim();
                if (!request.Headers.TryAdd(header, value[(colon + 1)..].Trim()))
                {
                    return $"'{header}' is given twice.";
                }

                return null;
        }
    }

    private static (string Name, string? Value) SplitOption(string argument)
    {
        var equals = argument.IndexOf('=', StringComparison.Ordinal);
        return argument.StartsWith("--", StringComparison.Ordinal) && equals > 2
            ? (argument[..equals], argument[(equals + 1)..])
            : (argument, null);
    }

    /// <summary>The option behind a request field, for error messages: versionId → --version-id, headers[X] → --header X.</summary>
    private static string OptionOf(string field)
    {
        if (field.StartsWith("headers", StringComparison.Ordinal))
        {
            return "--header" + (field.Length > "headers".Length ? " " + field["headers".Length..].Trim('[', ']') : "");
        }

        var option = new System.Text.StringBuilder("--", field.Length + 4);
        foreach (var c in field)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                option.Append('-').Append(char.ToLowerInvariant(c));
            }
            else
            {
                option.Append(c);
            }
        }

        return option.ToString();
    }

    private static async Task<int> FailAsync(TextWriter error, int exitCode, string message)
    {
        await error.WriteLineAsync("presign: " + message).ConfigureAwait(false);
        return exitCode;
    }
}
