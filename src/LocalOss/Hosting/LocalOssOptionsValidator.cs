using System.Buffers;
using LocalOss.Addressing;
using Microsoft.Extensions.Options;

namespace LocalOss.Hosting;

/// <summary>
/// Checks <see cref="LocalOssOptions"/> before the server binds a port. Every message starts with the
/// configuration key at fault, so a bad command line says exactly what to fix.
/// </summary>
internal sealed class LocalOssOptionsValidator : IValidateOptions<LocalOssOptions>
{
    private const string Prefix = LocalOssOptions.SectionName + ":";

    // '/' separates the V4 credential scope and ':' ends the key id in a V1 Authorization header.
    private static readonly SearchValues<char> ForbiddenInAccessKeyId = SearchValues.Create("/: \t\r\n,=");
    private static readonly SearchValues<char> RegionCharacters = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-");

    public ValidateOptionsResult Validate(string? name, LocalOssOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (string.IsNullOrWhiteSpace(options.Root))
        {
            failures.Add($"{Prefix}Root must name the directory that holds the buckets.");
        }

        ValidateKeyPair(failures, Prefix, options.AccessKeyId, options.AccessKeySecret);

        if (string.IsNullOrWhiteSpace(options.Region) || options.Region.AsSpan().ContainsAnyExcept(RegionCharacters))
        {
            failures.Add($"{Prefix}Region must be a bare region id such as 'cn-hangzhou' (lower case letters, digits and '-'), got '{options.Region}'.");
        }
        else if (options.Region.StartsWith("oss-", StringComparison.Ordinal))
        {
            failures.Add($"{Prefix}Region must be the bare region id ('{options.Region["oss-".Length..]}'), not the SDK form '{options.Region}'.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal) { options.AccessKeyId };
        for (var i = 0; i < options.AdditionalCredentials.Count; i++)
        {
            var credential = options.AdditionalCredentials[i];
            var prefix = $"{Prefix}AdditionalCredentials:{i}:";
            ValidateKeyPair(failures, prefix, credential.AccessKeyId, credential.AccessKeySecret);
            if (!string.IsNullOrEmpty(credential.AccessKeyId) && !seen.Add(credential.AccessKeyId))
            {
                failures.Add($"{prefix}AccessKeyId '{credential.AccessKeyId}' is configured more than once.");
            }
        }

        for (var i = 0; i < options.VirtualHostDomains.Count; i++)
        {
            var domain = options.VirtualHostDomains[i];
            if (!HostAddressing.IsValidDomain(domain))
            {
                failures.Add($"{Prefix}VirtualHostDomains:{i} must be a DNS name such as 'oss.test', got '{domain}'.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Validates and throws <see cref="OptionsValidationException"/> listing every problem.</summary>
    public static void ThrowIfInvalid(LocalOssOptions options)
    {
        var result = new LocalOssOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(LocalOssOptions), result.Failures);
        }
    }

    private static void ValidateKeyPair(List<string> failures, string prefix, string? accessKeyId, string? accessKeySecret)
    {
        if (string.IsNullOrWhiteSpace(accessKeyId))
        {
            failures.Add($"{prefix}AccessKeyId must be set.");
        }
        else if (accessKeyId.AsSpan().ContainsAny(ForbiddenInAccessKeyId))
        {
            failures.Add($"{prefix}AccessKeyId must not contain '/', ':', ',', '=' or whitespace.");
        }

        if (string.IsNullOrEmpty(accessKeySecret))
        {
            failures.Add($"{prefix}AccessKeySecret must be set.");
        }
    }
}
