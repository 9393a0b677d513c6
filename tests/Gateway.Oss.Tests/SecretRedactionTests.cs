using Gateway.Oss.Tests.Support;
using Gateway.Oss.Verification;

namespace Gateway.Oss.Tests;

/// <summary>Secrets, tokens and signatures never reach a ToString or an exception message.</summary>
public sealed class SecretRedactionTests
{
    private const string Secret = "SUPER-SECRET-VALUE";
    private const string Token = "SECRET-STS-TOKEN";

    private static readonly OssEndpoint Endpoint = new(new Uri("https://oss-cn-hangzhou.aliyuncs.com"), "examplebucket", "cn-hangzhou", OssAddressingStyle.VirtualHosted);
    private readonly FixedTimeProvider _clock = FixedTimeProvider.At("20241112T092756Z");

    [Fact]
    public void Credentials_print_the_key_id_only()
    {
        var text = new OssCredentials("LTAI5tID", Secret, Token).ToString();

        Assert.Contains("LTAI5tID", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Presigned_requests_print_without_signature_or_token()
    {
        var presigned = new OssV4Signer(Endpoint, new StaticCredentialsProvider(new("ak", Secret, Token)), _clock).Presign(new OssPresignOptions { Key = "k" });
        var signature = presigned.Url.OriginalString[(presigned.Url.OriginalString.LastIndexOf('=') + 1)..];

        var text = presigned.ToString();

        Assert.Contains("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/k", text, StringComparison.Ordinal);
        Assert.DoesNotContain(signature, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
        Assert.DoesNotContain("x-oss-credential", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Verification_results_print_without_the_echoed_diagnostics()
    {
        var presigned = new OssV1Signer(Endpoint, new StaticCredentialsProvider(new("ak", Secret, Token)), _clock).Presign(new OssPresignOptions { Key = "k" });
        var incoming = ServerSide.FromPresigned(presigned, OssAddressingStyle.VirtualHosted);
        var wrong = ServerSide.Verifier(_clock, known: new OssCredentials("ak", "other", Token)).Verify(incoming);

        var text = wrong.ToString();

        Assert.Equal("SignatureDoesNotMatch", wrong.ErrorCode);
        Assert.DoesNotContain(wrong.Details.Single(d => d.Key == "SignatureProvided").Value, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Signer_exceptions_do_not_carry_credentials()
    {
        var signer = new OssV4Signer(Endpoint, new StaticCredentialsProvider(new("ak", Secret, Token)), _clock);
        using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint.BuildObjectUri("k"));

        var exception = Assert.Throws<ArgumentException>(() => signer.SignRequest(request, "k", additionalHeaders: ["bad name"]));

        Assert.DoesNotContain(Secret, exception.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Token, exception.ToString(), StringComparison.Ordinal);
    }
}
