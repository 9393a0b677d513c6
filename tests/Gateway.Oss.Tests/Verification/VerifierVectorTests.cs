using Gateway.Oss.Tests.Support;

namespace Gateway.Oss.Tests.Verification;

/// <summary>The verifier accepts what the SDKs sent, rebuilt from the wire, and explains a tampered signature with the
/// vector's own canonical request and string to sign.</summary>
public sealed class VerifierVectorTests
{
    [Theory]
    [MemberData(nameof(SigningVectors.AllIds), MemberType = typeof(SigningVectors))]
    public void Verifier_accepts_what_the_sdk_sent(string id)
    {
        var vector = SigningVectors.Get(id);
        var verifier = ServerSide.Verifier(FixedTimeProvider.At(vector.FixedTime), vector.Region, vector.Credentials);

        var result = verifier.Verify(VectorRequests.Incoming(vector));

        Assert.True(result.Succeeded, $"{result.ErrorCode}: {result.Message} {string.Join(" | ", result.Details)}");
        Assert.Equal(VectorRequests.ExpectedScheme(vector), result.Scheme);
        Assert.Equal(vector.AccessKeyId, result.AccessKeyId);
        Assert.Equal(200, result.StatusCode);
    }

    [Theory]
    [MemberData(nameof(SigningVectors.AllIds), MemberType = typeof(SigningVectors))]
    public void Verifier_rejects_a_tampered_signature_and_echoes_what_it_signed(string id)
    {
        var vector = SigningVectors.Get(id);
        var verifier = ServerSide.Verifier(FixedTimeProvider.At(vector.FixedTime), vector.Region, vector.Credentials);
        var tampered = (vector.Signature[0] == 'a' ? "b" : "a") + vector.Signature[1..];

        var result = verifier.Verify(VectorRequests.Incoming(vector, tampered));

        Assert.False(result.Succeeded);
        Assert.Equal(VectorRequests.ExpectedScheme(vector), result.Scheme);
        Assert.Equal(403, result.StatusCode);
        Assert.Equal("SignatureDoesNotMatch", result.ErrorCode);
        Assert.Equal("The request signature we calculated does not match the signature you provided. Check your key and signing method.", result.Message);
        var details = result.Details.ToDictionary();
        Assert.Equal(vector.AccessKeyId, details["OSSAccessKeyId"]);
        Assert.Equal(vector.StringToSign, details["StringToSign"]);
        if (vector.Version == "v4")
        {
            Assert.Equal("0002-00000201", result.Ec);
            Assert.Equal(vector.CanonicalRequest, details["CanonicalRequest"]);
        }
        else
        {
            Assert.Equal(tampered, details["SignatureProvided"]);
        }
    }
}
