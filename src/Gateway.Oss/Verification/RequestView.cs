namespace Gateway.Oss.Verification;

/// <summary>Lookups over an <see cref="OssIncomingRequest"/>: header names ignore case, query names do not.</summary>
internal static class RequestView
{
    /// <summary>The first value of a header and how many times it appears.</summary>
    public static string? Header(OssIncomingRequest request, string name, out int count)
    {
        string? first = null;
        count = 0;
        foreach (var (headerName, value) in request.Headers)
        {
            if (string.Equals(headerName, name, StringComparison.OrdinalIgnoreCase))
            {
                first ??= value;
                count++;
            }
        }

        return first;
    }

    public static string? Header(OssIncomingRequest request, string name) => Header(request, name, out _);

    public static bool HasHeader(OssIncomingRequest request, string name) => Header(request, name, out _) is not null;

    /// <summary>The value of a query parameter and how many times it appears.</summary>
    public static string? Query(OssIncomingRequest request, string name, out int count)
    {
        string? first = null;
        count = 0;
        foreach (var (parameterName, value) in request.Query)
        {
            if (string.Equals(parameterName, name, StringComparison.Ordinal))
            {
                first ??= value;
                count++;
            }
        }

        return first;
    }
}
