using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Gateway.WebConsole;

/// <summary>One file of the console, read once from the assembly: its bytes, type and validator.</summary>
internal sealed record ConsoleAsset(string Path, byte[] Content, string ContentType, string ETag);

/// <summary>
/// The console's files, embedded in the gateway's assembly (<c>Console/Assets/**</c>, see Gateway.csproj)
/// rather than served from a web root: they ship inside Gateway.dll in every build, test run and image,
/// and cannot drift from the code that serves them. About 100 KiB, held in memory.
/// </summary>
internal sealed class ConsoleAssets
{
    public const string ResourcePrefix = "console/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".LICENSE"] = "text/plain; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, ConsoleAsset> _byPath;

    public ConsoleAssets()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var assets = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var path = name[ResourcePrefix.Length..];
            if (!ContentTypes.TryGetValue(Path.GetExtension(path), out var contentType))
            {
                continue;
            }

            var content = Read(assembly, name);
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12)) + "\"";
            assets[path] = new ConsoleAsset(path, content, contentType, etag);
        }

        if (!assets.ContainsKey("index.html"))
        {
            throw new InvalidOperationException("The console's files are missing from the assembly (embedded resource console/index.html).");
        }

        _byPath = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IEnumerable<string> Paths => _byPath.Keys;

    public bool TryGet(string path, out ConsoleAsset asset) => _byPath.TryGetValue(path, out asset!);

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
