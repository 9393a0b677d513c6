using Gateway.Oss;

namespace LocalOss.Tests.Sts;

public sealed class RpcSignatureTests
{
    // Alibaba Cloud's RPC signature documentation, DescribeRegions example.
    private const string DocumentedStringToSign =
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26";

    private static readonly KeyValuePair<string, string>[] DocumentedParameters =
    [
        new("Version", "2014-05-26"),
        new("Timestamp", "2016-02-23T12:46:24Z"),
        new("SignatureVersion", "1.0"),
        new("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
        new("SignatureMethod", "HMAC-SHA1"),
        new("Format", "XML"),
        new("Action", "DescribeRegions"),
        new("AccessKeyId", "testid"),
        new("Signature", "ignored: never part of what is signed"),
    ];

    [Fact]
    public void Documented_vector_gives_the_documented_string_to_sign_and_signature()
    {
        var stringToSign = RpcSignature.StringToSign("GET", DocumentedParameters);

        Assert.Equal(DocumentedStringToSign, stringToSign);
        Assert.Equal("OLeaidS1JvxuMvnyHOwuJ+uX5qY=", RpcSignature.Compute("GET", DocumentedParameters, "testsecret"));
    }

    [Fact]
    public void Server_and_credentials_go_procedure_agree_on_awkward_values()
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Policy"] = "{\"Statement\": [{\"Action\": [\"oss:*\"], \"Effect\": \"Allow\"}], \"Version\": \"1\"}",
            ["RoleSessionName"] = "a b~c*d+e/f",
            ["ExternalId"] = "ext-ü-中",
            ["AccessKeyId"] = "LTAI",
        };
        var request = new CredentialsGoRequest { Action = "AssumeRole" };
        foreach (var (name, value) in parameters)
        {
            request.Form[name] = value;
        }

        request.Sign("secret");

        Assert.Equal(request.Query["Signature"], RpcSignature.Compute("POST", parameters, "secret"));
    }

    [Theory]
    [InlineData(" ", "%20")]
    [InlineData("*", "%2A")]
    [InlineData("~-_.", "~-_.")]
    [InlineData("a+b/c=d", "a%2Bb%2Fc%3Dd")]
    [InlineData("é", "%C3%A9")]
    public void Percent_encoding_follows_RFC_3986(string value, string expected) =>
        Assert.Equal(expected, RpcSignature.PercentEncode(value));
}
