using System.Net;
using LocalOss.Tests.Infrastructure;

namespace LocalOss.Tests;

/// <summary>Range as OSS answers it (oss/SIGNING.md §11.6), on a 1000-byte object.</summary>
public sealed class RangeTests : LocalOssTest
{
    private const string Key = "range/object.bin";
    private static readonly byte[] Content = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Server.PutOkAsync(Key, Content);
    }

    [Theory]
    [InlineData("bytes=0-499", 0, 499)]
    [InlineData("bytes=500-", 500, 999)]
    [InlineData("bytes=-100", 900, 999)]
    [InlineData("bytes=999-999", 999, 999)]
    [InlineData("bytes=0-999", 0, 999)]
    public async Task Satisfiable_range_is_served_with_206_and_content_range(string range, int first, int last)
    {
        using var response = await GetWithRangeAsync(range);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {first}-{last}/1000", response.Content.Headers.ContentRange!.ToString());
        Assert.Equal(Content[first..(last + 1)], await response.Content.ReadAsByteArrayAsync(Cancellation));
    }

    [Theory]
    [InlineData("byte=0-499")]
    [InlineData("bytes=0-1000")]
    [InlineData("bytes=1000-2000")]
    [InlineData("bytes=1000-")]
    [InlineData("bytes=-2000")]
    [InlineData("bytes=500-100")]
    [InlineData("bytes=abc")]
    [InlineData("bytes=-0")]
    [InlineData("bytes=0-1,5-9")]
    public async Task Malformed_or_unsatisfiable_range_is_ignored_and_the_whole_object_served(string range)
    {
        using var response = await GetWithRangeAsync(range);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentRange);
        Assert.Equal(Content, await response.Content.ReadAsByteArrayAsync(Cancellation));
    }

    [Theory]
    [InlineData("bytes=500-2000", 500, 999)]
    [InlineData("bytes=-2000", 0, 999)]
    [InlineData("bytes=990-", 990, 999)]
    public async Task Standard_range_behavior_clamps_an_end_past_the_size(string range, int first, int last)
    {
        using var response = await GetWithRangeAsync(range, standard: true);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {first}-{last}/1000", response.Content.Headers.ContentRange!.ToString());
        Assert.Equal(Content[first..(last + 1)], await response.Content.ReadAsByteArrayAsync(Cancellation));
    }

    [Theory]
    [InlineData("bytes=1000-2000")]
    [InlineData("bytes=1000-")]
    [InlineData("bytes=0-1,5-9")]
    public async Task Standard_range_behavior_refuses_a_start_past_the_size_with_416_InvalidRange(string range)
    {
        using var response = await GetWithRangeAsync(range, standard: true);

        var error = await OssErrorXml.ReadAsync(response, HttpStatusCode.RequestedRangeNotSatisfiable, "InvalidRange");
        Assert.Equal("1000", (string?)error.Element("ActualObjectSize"));
        Assert.Equal("bytes */1000", response.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task Head_with_a_range_reports_the_partial_length_without_a_body()
    {
        using var response = await Server.HeadAsync(Key, r => r.Headers.Range = new(10, 19));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(10, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Cancellation));
    }

    [Fact]
    public async Task If_range_with_the_current_etag_keeps_the_range()
    {
        using var head = await Server.HeadAsync(Key);

        using var response = await Server.GetAsync(Key, r =>
        {
            r.Headers.Range = new(0, 9);
            r.Headers.IfRange = new(head.Headers.ETag!);
        });

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
    }

    [Fact]
    public async Task If_range_with_a_stale_etag_serves_the_whole_object()
    {
        using var response = await Server.GetAsync(Key, r =>
        {
            r.Headers.Range = new(0, 9);
            r.Headers.IfRange = new(new System.Net.Http.Headers.EntityTagHeaderValue("\"0123456789ABCDEF0123456789ABCDEF\""));
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1000, (await response.Content.ReadAsByteArrayAsync(Cancellation)).Length);
    }

    private Task<HttpResponseMessage> GetWithRangeAsync(string range, bool standard = false) =>
        Server.GetAsync(Key, request =>
        {
            request.Headers.TryAddWithoutValidation("Range", range);
            if (standard)
            {
                // An x-oss-* header, so it is signed.
                request.Headers.Add("x-oss-range-behavior", "standard");
            }
        });
}
