using System.Diagnostics;
using System.Net;
using Gateway.Oss;
using LocalOss.Tests.Infrastructure;

namespace LocalOss.Tests;

/// <summary>
/// x-oss-traffic-limit (oss/SIGNING.md §11.4): a bit/s cap on one connection, as a signed header or a presigned
/// URL parameter. LocalOss really paces the body, so the cap shows as a minimum transfer time: at least 80 % of
/// size × 8 / limit (the pacer lets one small chunk go at once), and well under what a mistaken unit would cost.
/// </summary>
public sealed class TrafficLimitTests : LocalOssTest
{
    private const string Key = "throttled/blob.bin";
    private const long Limit = 819_200;
    private const int Size = 300 * 1024;

    private static readonly byte[] Content = Enumerable.Range(0, Size).Select(i => (byte)(i * 13)).ToArray();

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Server.PutOkAsync(Key, Content);
    }

    [Fact]
    public async Task Get_with_the_header_is_paced_to_the_limit()
    {
        var (elapsed, body) = await TimeAsync(() => Server.GetAsync(Key, r => r.Headers.Add("x-oss-traffic-limit", "819200")));

        Assert.Equal(Content, body);
        AssertPaced(elapsed, Size, Limit);
    }

    [Fact]
    public async Task Get_with_the_parameter_of_a_presigned_url_is_paced_to_the_limit()
    {
        var url = Server.V4().Presign(new OssPresignOptions { Key = Key, Query = [new("x-oss-traffic-limit", "1638400")] }).Url;

        var (elapsed, body) = await TimeAsync(() => Server.Http.GetAsync(url, Cancellation));

        Assert.Equal(Content, body);
        AssertPaced(elapsed, Size, 1_638_400);
    }

    [Fact]
    public async Task Get_with_the_parameter_of_a_v1_presigned_url_is_paced_to_the_limit()
    {
        var url = Server.V1().Presign(new OssPresignOptions { Key = Key, Query = [new("x-oss-traffic-limit", "1638400")] }).Url;

        var (elapsed, body) = await TimeAsync(() => Server.Http.GetAsync(url, Cancellation));

        Assert.Equal(Content, body);
        AssertPaced(elapsed, Size, 1_638_400);
    }

    [Fact]
    public async Task Range_get_is_paced_on_the_bytes_it_sends()
    {
        const int length = 100 * 1024;

        var (elapsed, body) = await TimeAsync(() => Server.GetAsync(Key, r =>
        {
            r.Headers.Add("x-oss-traffic-limit", "819200");
            r.Headers.Range = new(1000, 1000 + length - 1);
        }));

        Assert.Equal(Content.AsSpan(1000, length).ToArray(), body);
        AssertPaced(elapsed, length, Limit);
    }

    [Fact]
    public async Task When_header_and_parameter_both_cap_the_lower_applies()
    {
        var query = new KeyValuePair<string, string>[] { new("x-oss-traffic-limit", "1638400") };

        var (elapsed, _) = await TimeAsync(() => Server.GetAsync(Key, r => r.Headers.Add("x-oss-traffic-limit", "838860800"), query: query));

        AssertPaced(elapsed, Size, 1_638_400);
    }

    [Fact]
    public async Task Put_with_the_header_reads_the_body_no_faster_than_the_limit()
    {
        const int size = 200 * 1024;
        var content = Content.AsSpan(0, size).ToArray();

        var stopwatch = Stopwatch.StartNew();
        using var put = await Server.PutAsync("throttled/upload.bin", content, configure: r => r.Headers.Add("x-oss-traffic-limit", "819200"));
        var elapsed = stopwatch.Elapsed;

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        AssertPaced(elapsed, size, Limit);
        using var get = await Server.GetAsync("throttled/upload.bin");
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync(Cancellation));
    }

    [Fact]
    public async Task Get_without_a_limit_is_not_paced()
    {
        var (elapsed, body) = await TimeAsync(() => Server.GetAsync(Key));

        Assert.Equal(Content, body);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"An unlimited GET of {Size} bytes took {elapsed}.");
    }

    [Theory]
    [InlineData("245760")]
    [InlineData("838860800")]
    public async Task Limits_at_either_end_of_the_range_are_accepted(string limit)
    {
        using var response = await Server.GetAsync(Key, r =>
        {
            r.Headers.Add("x-oss-traffic-limit", limit);
            r.Headers.Range = new(0, 99);
        });

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
    }

    public static TheoryData<string> InvalidLimits => ["245759", "838860801", "abc", "-819200", "819200.5", "8192e2", "0x1000000", "99999999999999999999"];

    [Theory]
    [MemberData(nameof(InvalidLimits))]
    public async Task Invalid_header_is_400_InvalidArgument(string limit)
    {
        using var response = await Server.GetAsync(Key, r => r.Headers.TryAddWithoutValidation("x-oss-traffic-limit", limit));

        var error = await OssErrorXml.ReadAsync(response, HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Equal("0004-00000502", (string?)error.Element("EC"));
        Assert.Equal("x-oss-traffic-limit", (string?)error.Element("ArgumentName"));
        Assert.Equal(limit, (string?)error.Element("ArgumentValue"));
    }

    [Theory]
    [MemberData(nameof(InvalidLimits))]
    public async Task Invalid_parameter_of_a_presigned_url_is_400_InvalidArgument(string limit)
    {
        var url = Server.V4().Presign(new OssPresignOptions { Key = Key, Query = [new("x-oss-traffic-limit", limit)] }).Url;

        using var response = await Server.Http.GetAsync(url, Cancellation);

        var error = await OssErrorXml.ReadAsync(response, HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Equal("0004-00000502", (string?)error.Element("EC"));
    }

    [Fact]
    public async Task Invalid_limit_on_put_stores_nothing()
    {
        using var put = await Server.PutAsync("throttled/refused.bin", "x"u8.ToArray(), configure: r => r.Headers.Add("x-oss-traffic-limit", "100"));

        await OssErrorXml.ReadAsync(put, HttpStatusCode.BadRequest, "InvalidArgument");
        using var get = await Server.GetAsync("throttled/refused.bin");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Head_validates_the_limit_too()
    {
        using var response = await Server.HeadAsync(Key, r => r.Headers.Add("x-oss-traffic-limit", "1"));

        await OssErrorXml.ReadHeadAsync(response, HttpStatusCode.BadRequest, "InvalidArgument");
    }

    private static void AssertPaced(TimeSpan elapsed, long bytes, long bitsPerSecond)
    {
        var ideal = TimeSpan.FromSeconds(bytes * 8.0 / bitsPerSecond);
        Assert.True(elapsed >= ideal * 0.8, $"{bytes} bytes at {bitsPerSecond} bit/s took {elapsed}; the cap allows no less than {ideal * 0.8}.");
        Assert.True(elapsed < ideal * 3, $"{bytes} bytes at {bitsPerSecond} bit/s took {elapsed}, far over the ideal {ideal}.");
    }

    private static async Task<(TimeSpan Elapsed, byte[] Body)> TimeAsync(Func<Task<HttpResponseMessage>> send)
    {
        var stopwatch = Stopwatch.StartNew();
        using var response = await send();
        var body = await response.Content.ReadAsByteArrayAsync(Cancellation);
        var elapsed = stopwatch.Elapsed;
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
        return (elapsed, body);
    }
}
