using Gateway.Oss.Signing;

namespace Gateway.Oss.Tests.Signing;

public sealed class V4CanonicalRequestTests
{
    [Fact]
    public void Repeated_headers_become_one_line_with_values_joined_by_commas_in_arrival_order()
    {
        HeaderField[] headers = [new("X-Oss-Meta-B", " 2 "), new("x-oss-meta-a", "z"), new("x-oss-meta-b", "1"), new("Content-Type", "text/plain")];

        var canonical = Build(headers, []);

        Assert.Equal("GET\n/bucket/key\n\ncontent-type:text/plain\nx-oss-meta-a:z\nx-oss-meta-b:2,1\n\n\nUNSIGNED-PAYLOAD", canonical);
    }

    [Fact]
    public void Header_names_sort_as_lower_case_bytes_not_upper_case()
    {
        // OrdinalIgnoreCase upper-cases, which would put "x-oss-a_b" after "x-oss-ab"; OSS compares lower-case bytes.
        HeaderField[] headers = [new("x-oss-AB", "2"), new("x-oss-a_b", "1")];

        Assert.Contains("x-oss-a_b:1\nx-oss-ab:2\n", Build(headers, []), StringComparison.Ordinal);
    }

    [Fact]
    public void Query_sorts_by_encoded_name_then_value_and_renders_empty_values_bare()
    {
        var canonical = Build([], [new("b", "2"), new("b", "1"), new("acl", ""), new("+p", "x y"), new("a/b", "c/d")]);

        Assert.Equal("GET\n/bucket/key\n%2Bp=x%20y&a%2Fb=c%2Fd&acl&b=1&b=2\n\n\nUNSIGNED-PAYLOAD", canonical);
    }

    [Fact]
    public void Service_level_requests_have_the_root_uri_and_bucket_level_requests_keep_the_trailing_slash()
    {
        Assert.StartsWith("GET\n/\n", Build([], [], bucket: string.Empty, key: string.Empty), StringComparison.Ordinal);
        Assert.StartsWith("GET\n/bucket/\n", Build([], [], key: string.Empty), StringComparison.Ordinal);
    }

    private static string Build(HeaderField[] headers, KeyValuePair<string, string>[] query, string bucket = "bucket", string key = "key")
    {
        V4CanonicalRequest.SortHeaders(headers);
        var sortedQuery = new CanonicalQueryParameter[query.Length];
        var count = V4CanonicalRequest.PrepareQuery(query, excludedName: null, sortedQuery);
        var buffer = new CharBuffer(new char[8]);
        try
        {
            V4CanonicalRequest.Write(ref buffer, "GET", bucket, key, sortedQuery.AsSpan(0, count), headers, string.Empty, OssV4.UnsignedPayload);
            return buffer.ToString();
        }
        finally
        {
            buffer.Dispose();
        }
    }
}
