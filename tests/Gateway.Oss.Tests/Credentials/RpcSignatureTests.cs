namespace Gateway.Oss.Tests.Credentials;

public sealed class RpcSignatureTests
{
    // The worked example of Alibaba Cloud's RPC signature documentation (DescribeRegions, secret "testsecret").
    private static readonly KeyValuePair<string, string>[] DocumentationExample =
    [
        new("Timestamp", "2016-02-23T12:46:24Z"),
        new("Format", "XML"),
        new("AccessKeyId", "testid"),
        new("Action", "DescribeRegions"),
        new("SignatureMethod", "HMAC-SHA1"),
        new("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
        new("Version", "2014-05-26"),
        new("SignatureVersion", "1.0"),
    ];

    [Fact]
    public void The_string_to_sign_of_the_documentation_example_is_reproduced()
    {
        Assert.Equal(
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26",
            RpcSignature.StringToSign("GET", DocumentationExample));
    }

    [Fact]
    public void The_signature_of_the_documentation_example_is_reproduced() =>
        Assert.Equal("OLeaidS1JvxuMvnyHOwuJ+uX5qY=", RpcSignature.Compute("GET", DocumentationExample, "testsecret"));

    [Fact]
    public void A_Signature_parameter_already_present_is_not_signed() =>
        Assert.Equal(
            RpcSignature.Compute("GET", DocumentationExample, "testsecret"),
            RpcSignature.Compute("GET", [.. DocumentationExample, new("Signature", "anything")], "testsecret"));

    [Theory]
    [InlineData("a b", "a%20b")]
    [InlineData("a*b", "a%2Ab")]
    [InlineData("a~b-_.", "a~b-_.")]
    [InlineData("a+b/c=", "a%2Bb%2Fc%3D")]
    [InlineData("中", "%E4%B8%AD")]
    public void Values_are_percent_encoded_as_the_SDKs_do(string value, string encoded) =>
        Assert.Equal(encoded, RpcSignature.PercentEncode(value));
}
