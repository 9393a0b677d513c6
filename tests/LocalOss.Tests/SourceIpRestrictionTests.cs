using System.Net;
using Gateway.Oss;
using LocalOss.Tests.Infrastructure;

namespace LocalOss.Tests;

/// <summary>
/// x-oss-ac-source-ip, -subnet-mask, -forward-allow and -vpc-id on signed URLs (oss/SIGNING.md §11.5). The test
/// client always connects from 127.0.0.1.
/// </summary>
public sealed class SourceIpRestrictionTests : LocalOssTest
{
    private const string Key = "restricted/file.txt";

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Server.PutOkAsync(Key, "restricted content"u8.ToArray());
    }

    [Theory]
    [InlineData("127.0.0.1", "32")]
    [InlineData("127.0.0.1", null)]
    [InlineData("127.200.3.4", "8")]
    [InlineData("127.0.0.0", "24")]
    [InlineData("10.9.8.7", "0")]
    [InlineData("::ffff:127.0.0.1", "32")]
    public async Task Url_bound_to_a_network_holding_the_client_is_served(string sourceIp, string? mask)
    {
        using var response = await Server.Http.GetAsync(V4Url(Restriction(sourceIp, mask)), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("restricted content", await response.Content.ReadAsStringAsync(Cancellation));
    }

    [Theory]
    [InlineData("10.9.8.7", "32")]
    [InlineData("10.9.8.7", null)]
    [InlineData("10.9.8.7", "8")]
    [InlineData("127.0.0.2", "32")]
    [InlineData("127.0.1.1", "24")]
    [InlineData("::1", "128")]
    public async Task Url_bound_to_another_network_is_403_AccessDenied(string sourceIp, string? mask)
    {
        using var response = await Server.Http.GetAsync(V4Url(Restriction(sourceIp, mask)), Cancellation);

        var error = await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "AccessDenied");
        Assert.Equal("The request source IP does not match the signature's source IP restriction.", (string?)error.Element("Message"));
        Assert.DoesNotContain("restricted content", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", HttpStatusCode.OK)]
    [InlineData("10.9.8.7", HttpStatusCode.Forbidden)]
    public async Task V1_urls_carry_the_restriction_too(string sourceIp, HttpStatusCode expected)
    {
        var url = Server.V1().Presign(new OssPresignOptions { Key = Key, Query = Restriction(sourceIp, "32") }).Url;

        using var response = await Server.Http.GetAsync(url, Cancellation);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Head_url_bound_to_another_address_is_refused_without_a_body()
    {
        var url = Server.V4().Presign(new OssPresignOptions { Method = "HEAD", Key = Key, Query = Restriction("10.9.8.7", "32") }).Url;

        using var response = await Server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url), Cancellation);

        await OssErrorXml.ReadHeadAsync(response, HttpStatusCode.Forbidden, "AccessDenied");
    }

    [Fact]
    public async Task The_restriction_is_signed_so_it_cannot_be_edited_out_of_the_url()
    {
        var url = V4Url(Restriction("10.9.8.7", "32")).OriginalString.Replace("x-oss-ac-source-ip=10.9.8.7", "x-oss-ac-source-ip=127.0.0.1", StringComparison.Ordinal);

        using var response = await Server.Http.GetAsync(new Uri(url), Cancellation);

        await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task Header_signed_request_with_the_restriction_in_the_query_is_checked_as_well()
    {
        using var response = await Server.GetAsync(Key, query: Restriction("10.9.8.7", "32"));

        await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "AccessDenied");
    }

    [Fact]
    public async Task Forward_allow_takes_the_client_from_the_first_x_forwarded_for_entry()
    {
        var url = V4Url([.. Restriction("10.9.8.7", "32"), new("x-oss-ac-forward-allow", "true")]);

        using var response = await SendAsync(url, "10.9.8.7, 127.0.0.1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("203.0.113.5, 10.9.8.7")]
    [InlineData("not-an-address")]
    public async Task Forward_allow_refuses_a_first_x_forwarded_for_entry_outside_the_network(string forwardedFor)
    {
        var url = V4Url([.. Restriction("10.9.8.7", "32"), new("x-oss-ac-forward-allow", "true")]);

        using var response = await SendAsync(url, forwardedFor);

        await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "AccessDenied");
    }

    [Fact]
    public async Task Forward_allow_with_an_address_and_port_in_x_forwarded_for_compares_the_address()
    {
        var url = V4Url([.. Restriction("10.9.8.7", "32"), new("x-oss-ac-forward-allow", "true")]);

        using var response = await SendAsync(url, "10.9.8.7:51234");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Forward_allow_without_x_forwarded_for_uses_the_connection()
    {
        var url = V4Url([.. Restriction("127.0.0.1", "32"), new("x-oss-ac-forward-allow", "true")]);

        using var response = await Server.Http.GetAsync(url, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("10.9.8.7", "10.9.8.7", HttpStatusCode.Forbidden)]
    [InlineData("127.0.0.1", "10.9.8.7", HttpStatusCode.OK)]
    public async Task Without_forward_allow_x_forwarded_for_is_ignored(string sourceIp, string forwardedFor, HttpStatusCode expected)
    {
        using var response = await SendAsync(V4Url(Restriction(sourceIp, "32")), forwardedFor);

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData("33")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("65536")]
    [InlineData("")]
    public async Task Invalid_subnet_mask_is_400_InvalidArgument(string mask)
    {
        using var response = await Server.Http.GetAsync(V4Url(Restriction("127.0.0.1", mask)), Cancellation);

        var error = await OssErrorXml.ReadAsync(response, HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Equal("0002-00000601", (string?)error.Element("EC"));
    }

    [Fact]
    public async Task Ipv6_masks_go_up_to_128()
    {
        using var ok = await Server.Http.GetAsync(V4Url(Restriction("2001:db8::1", "128")), Cancellation);
        using var tooLong = await Server.Http.GetAsync(V4Url(Restriction("2001:db8::1", "129")), Cancellation);

        await OssErrorXml.ReadAsync(ok, HttpStatusCode.Forbidden, "AccessDenied");
        await OssErrorXml.ReadAsync(tooLong, HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Theory]
    [InlineData("not-an-ip")]
    [InlineData("10.1")]
    [InlineData("10.0.0.0/8")]
    [InlineData("fe80::1%1")]
    [InlineData("")]
    public async Task Invalid_source_ip_is_400_InvalidArgument(string sourceIp)
    {
        using var response = await Server.Http.GetAsync(V4Url(Restriction(sourceIp, null)), Cancellation);

        var error = await OssErrorXml.ReadAsync(response, HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Equal("x-oss-ac-source-ip", (string?)error.Element("ArgumentName"));
    }

    [Fact]
    public async Task Url_bound_to_a_vpc_is_refused_because_no_request_reaches_localoss_from_one()
    {
        using var response = await Server.Http.GetAsync(V4Url([new("x-oss-ac-vpc-id", "vpc-bp1234567890abcdef")]), Cancellation);

        var error = await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "AccessDenied");
        Assert.Contains("VPC", (string?)error.Element("Message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Url_bound_to_a_vpc_and_the_client_ip_is_still_refused()
    {
        using var response = await Server.Http.GetAsync(V4Url([.. Restriction("127.0.0.1", "32"), new("x-oss-ac-vpc-id", "vpc-bp1234567890abcdef")]), Cancellation);

        await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "AccessDenied");
    }

    [Fact]
    public async Task Restriction_is_checked_only_after_the_signature()
    {
        var url = V4Url(Restriction("10.9.8.7", "32")).OriginalString;
        var tampered = url[..^1] + (url[^1] == '0' ? '1' : '0');

        using var response = await Server.Http.GetAsync(new Uri(tampered), Cancellation);

        await OssErrorXml.ReadAsync(response, HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    private static KeyValuePair<string, string>[] Restriction(string sourceIp, string? mask) =>
        mask is null
            ? [new("x-oss-ac-source-ip", sourceIp)]
            : [new("x-oss-ac-source-ip", sourceIp), new("x-oss-ac-subnet-mask", mask)];

    private Uri V4Url(IReadOnlyList<KeyValuePair<string, string>> query) =>
        Server.V4().Presign(new OssPresignOptions { Key = Key, Query = query }).Url;

    private Task<HttpResponseMessage> SendAsync(Uri url, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        return Server.Http.SendAsync(request, Cancellation);
    }
}
