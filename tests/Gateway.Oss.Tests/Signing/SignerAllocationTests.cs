using System.Security.Cryptography;
using System.Text;
using Gateway.Oss.Signing;
using Gateway.Oss.Tests.Support;

namespace Gateway.Oss.Tests.Signing;

/// <summary>The header signer's hot path allocates only the Authorization value, and the per-second, per-day and
/// per-thread state that makes it so never shows in a signature.</summary>
public sealed class SignerAllocationTests
{
    private const string Key = "exampledir/exampleobject.txt";

    private static readonly OssEndpoint Endpoint =
        new(new Uri("https://oss-cn-hangzhou.aliyuncs.com"), "examplebucket", "cn-hangzhou", OssAddressingStyle.VirtualHosted);

    [Fact]
    public void A_warm_signature_allocates_only_the_Authorization_value()
    {
        var signer = new OssV4Signer(Endpoint, new StaticCredentialsProvider(new("LTAI5tTESTKEYID00000", "TESTSECRET0123456789abcdefABCDEF")), FixedTimeProvider.At("20241112T092756Z"));
        using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint.BuildObjectUri(Key));
        for (var i = 0; i < 100; i++)
        {
            signer.SignRequest(request, Key);
        }

        const int Signatures = 1000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Signatures; i++)
        {
            signer.SignRequest(request, Key);
        }

        var perSignature = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Signatures;

        // A string takes 20 bytes of header, 2 per char and a 2-byte terminator, rounded up to 8; the slack is less than
        // the smallest object, so a second allocation per signature cannot hide in it.
        var authorization = HttpRequests.Header(request, "Authorization")!;
        var oneString = (20 + (2 * authorization.Length) + 2 + 7) / 8 * 8;
        Assert.InRange(perSignature, 0, oneString + 16);
    }

    [Fact]
    public void Signatures_after_a_second_or_a_day_boundary_still_reproduce_every_vector()
    {
        TimeSpan[] warmedAt = [TimeSpan.FromDays(-1), TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(1), TimeSpan.Zero];
        foreach (var vector in SigningVectors.Values.Where(static v => v.Version == "v4" && v.IsHeaderForm))
        {
            var time = FixedTimeProvider.At(vector.FixedTime).Now;
            foreach (var offset in warmedAt)
            {
                var clock = new FixedTimeProvider(time + offset);
                var signer = new OssV4Signer(VectorRequests.Endpoint(vector), new StaticCredentialsProvider(vector.Credentials), clock);
                using (var warm = VectorRequest(vector))
                {
                    signer.SignRequest(warm, vector.Key, vector.InputQuery, vector.AdditionalHeaders);
                }

                clock.Now = time;
                using var request = VectorRequest(vector);
                signer.SignRequest(request, vector.Key, vector.InputQuery, vector.AdditionalHeaders);

                Assert.Equal(vector.FixedTime, HttpRequests.Header(request, "x-oss-date"));
                Assert.Equal(vector.Authorization, HttpRequests.Header(request, "Authorization"));
            }
        }
    }

    [Fact]
    public void Credentials_signing_in_turn_on_one_thread_each_sign_with_their_own_key()
    {
        var clock = FixedTimeProvider.At("20241112T235959Z");
        (OssV4Signer Signer, string Secret)[] credentials =
        [
            (new(Endpoint, new StaticCredentialsProvider(new("ak-1", "secret-1")), clock), "secret-1"),
            (new(Endpoint, new StaticCredentialsProvider(new("ak-2", "secret-2")), clock), "secret-2"),
        ];

        for (var round = 0; round < 3; round++)
        {
            foreach (var (signer, secret) in credentials)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint.BuildObjectUri(Key));
                var trace = new SigningTrace();
                signer.SignRequest(request, Key, query: null, additionalHeaders: null, trace);

                Assert.Equal(Unoptimized(trace, secret), trace.Signature);
                Assert.EndsWith(",Signature=" + trace.Signature, HttpRequests.Header(request, "Authorization"), StringComparison.Ordinal);
            }

            // The first advance crosses midnight, so both keys are derived again for the new day.
            clock.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public void A_long_non_ASCII_canonical_request_is_hashed_as_if_in_one_piece()
    {
        var signer = new OssV4Signer(Endpoint, new StaticCredentialsProvider(new("ak", "sk")), FixedTimeProvider.At("20241112T092756Z"));
        using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint.BuildObjectUri(Key));

        // An emoji is two UTF-16 chars and four UTF-8 bytes: some of the 512-byte chunks the hash is fed in would end inside one.
        request.Headers.TryAddWithoutValidation("x-oss-meta-note", string.Concat(Enumerable.Repeat("é😀", 300)));
        var trace = new SigningTrace();
        signer.SignRequest(request, Key, query: null, additionalHeaders: null, trace);

        Assert.True(Encoding.UTF8.GetByteCount(trace.CanonicalRequest!) > 1024);
        Assert.Equal(Unoptimized(trace, "sk"), trace.Signature);
    }

    private static HttpRequestMessage VectorRequest(SigningVector vector)
    {
        var request = new HttpRequestMessage(new HttpMethod(vector.Method), VectorRequests.Endpoint(vector).BuildObjectUri(vector.Key, vector.InputQuery));
        foreach (var (name, value) in vector.RequestHeadersSent)
        {
            HttpRequests.AddHeader(request, name, value);
        }

        return request;
    }

    /// <summary>The signature of a traced canonical request recomputed with one-shot primitives and a fresh key.</summary>
    private static string Unoptimized(SigningTrace trace, string secret)
    {
        var lines = trace.StringToSign!.Split('\n');
        var scope = lines[2].Split('/');
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(trace.CanonicalRequest!))), lines[3]);

        var signingKey = new byte[32];
        V4SigningKeyCache.DeriveSigningKey(secret, scope[0], scope[1], scope[2], signingKey);
        return Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(trace.StringToSign)));
    }
}
