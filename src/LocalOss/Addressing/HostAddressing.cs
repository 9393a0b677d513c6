using System.Net;
using LocalOss.Storage;
using Microsoft.Extensions.Options;

namespace LocalOss.Addressing;

/// <summary>
/// Decides whether a request is virtual-hosted (bucket in the Host header) or path-style (bucket in the
/// first path segment). OSS itself only knows its own domains; a local server is reached through IPs,
/// localhost and arbitrary container or cluster names, so the rule is:
/// <list type="number">
/// <item>An IP literal, an empty host or a single-label host (<c>localhost</c>, <c>localoss</c>) is path-style.</item>
/// <item><c>bucket.localhost</c>, <c>bucket.&lt;endpoint&gt;.aliyuncs.com</c> (what ali-oss sends to an IP endpoint
/// without <c>sldEnable</c>, PITFALLS 25) and <c>bucket.&lt;domain&gt;</c> for a configured
/// <see cref="LocalOssOptions.VirtualHostDomains"/> entry are virtual-hosted, whether or not the bucket exists
/// (a missing one then answers NoSuchBucket, as OSS would).</item>
/// <item>Any other dotted host is virtual-hosted only when its first label names an existing bucket, so a
/// server reached as <c>localoss.svc.cluster.local</c> keeps working path-style.</item>
/// </list>
/// ali-oss with <c>sldEnable</c> repeats the bucket in the path under such a Host; the dispatcher then lets the
/// signature pick between the two readings (see <see cref="Authentication.RequestAuthenticator"/>).
/// </summary>
internal sealed class HostAddressing
{
    private const string AliyunSuffix = ".aliyuncs.com";

    private readonly string[] _domains;
    private readonly ObjectStore _store;

    public HostAddressing(IOptions<LocalOssOptions> options, ObjectStore store)
    {
        var configured = options.Value.VirtualHostDomains;
        _domains = new string[configured.Count + 1];
        _domains[0] = "localhost";
        for (var i = 0; i < configured.Count; i++)
        {
            _domains[i + 1] = configured[i].TrimEnd('.').ToLowerInvariant();
        }

        _store = store;
    }

    /// <summary>The bucket named by the Host header, or null when the request is path-style.</summary>
    /// <param name="host">The host without port, as in <c>HostString.Host</c>.</param>
    public string? BucketFromHost(string? host)
    {
        if (string.IsNullOrEmpty(host) || host[0] == '[')
        {
            return null;
        }

        var name = host.TrimEnd('.').ToLowerInvariant();
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0 || IPAddress.TryParse(name, out _))
        {
            return null;
        }

        var bucket = name[..dot];
        if (!BucketNames.IsValid(bucket))
        {
            return null;
        }

        var endpoint = name.AsSpan(dot + 1);
        if (endpoint.EndsWith(AliyunSuffix, StringComparison.Ordinal))
        {
            return bucket;
        }

        foreach (var domain in _domains)
        {
            if (endpoint.SequenceEqual(domain))
            {
                return bucket;
            }
        }

        return _store.BucketExists(bucket) ? bucket : null;
    }

    public static bool IsValidDomain(string? domain)
    {
        if (string.IsNullOrWhiteSpace(domain))
        {
            return false;
        }

        return Uri.CheckHostName(domain.TrimEnd('.')) == UriHostNameType.Dns;
    }
}
