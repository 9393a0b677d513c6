using System.Text;

namespace Gateway.Oss.Tests.Errors;

public sealed class OssErrorTests
{
    // The expired-URL body quoted in SIGNING.md §9 (OBS, 2025).
    private const string ExpiredBody =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired.</Message><RequestId>65467C42E001B4333337ABCD</RequestId>"
        + "<HostId>bucket.oss-cn-heyuan.aliyuncs.com</HostId><Expires>2025-02-03T02:53:25.000Z</Expires><ServerTime>2025-02-03T02:55:25.000Z</ServerTime>"
        + "<EC>0002-00000069</EC><RecommendDoc>https://api.aliyun.com/troubleshoot?q=0002-00000069</RecommendDoc></Error>";

    [Fact]
    public void Parses_an_error_body()
    {
        Assert.True(OssError.TryParse(Encoding.UTF8.GetBytes(ExpiredBody), out var error));

        Assert.Equal(new OssError("AccessDenied", "Request has expired.", "65467C42E001B4333337ABCD", "0002-00000069"), error);
    }

    [Fact]
    public void Parses_an_indented_body_with_nested_unknown_elements()
    {
        var body = "<Error>\n  <Code>NoSuchKey</Code>\n  <Message>The specified key does not exist.</Message>\n  <Extra><Inner>x</Inner></Extra>\n  <RequestId>R</RequestId>\n</Error>";

        Assert.True(OssError.TryParse(Encoding.UTF8.GetBytes(body), out var error));

        Assert.Equal(new OssError("NoSuchKey", "The specified key does not exist.", "R", null), error);
    }

    [Fact]
    public void Parses_the_base64_error_header_of_a_HEAD_response()
    {
        var header = Convert.ToBase64String(Encoding.UTF8.GetBytes(ExpiredBody));

        Assert.True(OssError.TryParseHeader(header, out var error));

        Assert.Equal("0002-00000069", error!.Ec);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not xml")]
    [InlineData("<Other><Code>X</Code></Other>")]
    [InlineData("<Error><Message>no code</Message></Error>")]
    [InlineData("<Error/>")]
    [InlineData("<Error><Code>Truncated")]
    [InlineData("<!DOCTYPE Error [<!ENTITY x \"boom\">]><Error><Code>&x;</Code></Error>")]
    public void Refuses_what_is_not_an_error_body(string body)
    {
        Assert.False(OssError.TryParse(Encoding.UTF8.GetBytes(body), out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("!!not-base64!!")]
    public void Refuses_a_bad_error_header(string? header) =>
        Assert.False(OssError.TryParseHeader(header, out _));

    [Fact]
    public void Renders_the_body_OSS_would_send_and_reads_it_back()
    {
        var error = new OssError("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.", "RID", "0002-00000201");

        var xml = error.ToXml("examplebucket.oss-cn-hangzhou.aliyuncs.com", [new("StringToSign", "OSS4-HMAC-SHA256\n2024<&>"), new("Bad", "a\u0001b")]);

        Assert.Contains("<HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId><StringToSign>OSS4-HMAC-SHA256\n2024&lt;&amp;&gt;</StringToSign><Bad>a\uFFFDb</Bad><EC>0002-00000201</EC>", xml, StringComparison.Ordinal);
        Assert.Contains("<RecommendDoc>https://api.aliyun.com/troubleshoot?q=0002-00000201</RecommendDoc>", xml, StringComparison.Ordinal);
        Assert.True(OssError.TryParse(Encoding.UTF8.GetBytes(xml), out var parsed));
        Assert.Equal(error, parsed);
    }
}
