using Microsoft.AspNetCore.Http;

namespace LocalOss.Sts;

/// <summary>
/// The parameters of one RPC call: the query string and, for a form body, its fields. credentials-go puts the common
/// parameters in the query and the action's in an <c>application/x-www-form-urlencoded</c> body, and signs them all.
/// </summary>
internal sealed class RpcParameters
{
    private readonly Dictionary<string, string> _values;

    private RpcParameters(Dictionary<string, string> values, string? duplicate)
    {
        _values = values;
        Duplicate = duplicate;
    }

    /// <summary>A name given more than once (in the query, the form, or both), which no SDK sends.</summary>
    public string? Duplicate { get; }

    public IEnumerable<KeyValuePair<string, string>> All => _values;

    public static async Task<RpcParameters> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string? duplicate = null;
        foreach (var (name, entries) in request.Query)
        {
            foreach (var value in entries)
            {
                if (!values.TryAdd(name, value ?? ""))
                {
                    duplicate ??= name;
                }
            }
        }

        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            foreach (var (name, entries) in form)
            {
                foreach (var value in entries)
                {
                    if (!values.TryAdd(name, value ?? ""))
                    {
                        duplicate ??= name;
                    }
                }
            }
        }

        return new RpcParameters(values, duplicate);
    }

    public string? Get(string name) => _values.GetValueOrDefault(name);
}
