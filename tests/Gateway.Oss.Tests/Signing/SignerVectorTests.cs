using Gateway.Oss.Signing;
using Gateway.Oss.Tests.Support;
using Gateway.Oss.Verification;

namespace Gateway.Oss.Tests.Signing;

/// <summary>The signers reproduce every vector: canonical request, string to sign, signature, Authorization header or URL.</summary>
public sealed class SignerVectorTests
{
    [Theory]
    [MemberData(nameof(SigningVectors.V4HeaderIds), MemberType = typeof(SigningVectors))]
    public void V4_header_signer_reproduces_the_vector(string id)
    {
        var vector = SigningVectors.Get(id);
        var endpoint = VectorRequests.Endpoint(vector);
        var signer = new OssV4Signer(endpoint, new StaticCredentialsProvider(vector.Credentials), FixedTimeProvider.At(vector.FixedTime));
        using var request = new HttpRequestMessage(new HttpMethod(vector.Method), endpoint.BuildObjectUri(vector.Key, vector.InputQuery));
        foreach (var (name, value) in vector.RequestHeadersSent)
        {
            HttpRequests.AddHeader(request, name, value);
        }

        var trace = new SigningTrace();
        signer.SignRequest(request, vector.Key, vector.InputQuery, vector.AdditionalHeaders, trace);

        Assert.Equal(vector.CanonicalRequest, trace.CanonicalRequest);
        Assert.Equal(vector.StringToSign, trace.StringToSign);
        Assert.Equal(vector.Signature, trace.Signature);
        Assert.Equal(vector.Authorization, HttpRequests.Header(request, "Authorization"));
        Assert.Equal(vector.FixedTime, HttpRequests.Header(request, "x-oss-date"));
        Assert.Equal("UNSIGNED-PAYLOAD", HttpRequests.Header(request, "x-oss-content-sha256"));
        Assert.Equal(vector.SecurityToken, HttpRequests.Header(request, "x-oss-security-token"));
        AssertGoSdkAgrees(vector, trace.Signature);
        if (vector.RequestUrl is not null)
        {
            var url = request.RequestUri!.OriginalString;
            Assert.Equal(VectorRequests.DecodedPath(vector.RequestUrl), VectorRequests.DecodedPath(url));
            Assert.Equal(OssWireFormat.ParseQuery(new Uri(vector.RequestUrl).Query), OssWireFormat.ParseQuery(request.RequestUri.Query));
        }
    }

    [Theory]
    [MemberData(nameof(SigningVectors.V4QueryIds), MemberType = typeof(SigningVectors))]
    public void V4_presigner_reproduces_the_vector(string id)
    {
        var vector = SigningVectors.Get(id);
        var clock = FixedTimeProvider.At(vector.FixedTime);
        var signer = new OssV4Signer(VectorRequests.Endpoint(vector), new StaticCredentialsProvider(vector.Credentials), clock);
        var options = new OssPresignOptions
        {
            Method = vector.Method,
            Key = vector.Key,
            Expires = TimeSpan.FromSeconds(vector.ExpiresSeconds!.Value),
            Query = VectorRequests.PresignQuery(vector),
            Headers = vector.SignedRequestHeaders,
            AdditionalHeaders = vector.AdditionalHeaders,
        };

        var trace = new SigningTrace();
        var presigned = signer.Presign(options, trace);

        Assert.Equal(vector.CanonicalRequest, trace.CanonicalRequest);
        Assert.Equal(vector.StringToSign, trace.StringToSign);
        Assert.Equal(vector.Signature, trace.Signature);
        AssertGoSdkAgrees(vector, trace.Signature);
        Assert.Equal(vector.Method, presigned.Method);
        Assert.Equal(clock.Now.AddSeconds(vector.ExpiresSeconds.Value), presigned.Expiration);

        // Only Content-Type/MD5, x-oss-* and listed headers are signed, so only those must be sent.
        var expectedHeaders = vector.SignedRequestHeaders
            .Where(h => h.Key.StartsWith("x-oss-", StringComparison.OrdinalIgnoreCase)
                || h.Key.Equals("content-type", StringComparison.OrdinalIgnoreCase)
                || vector.AdditionalHeaders.Contains(h.Key.ToLowerInvariant()))
            .OrderBy(h => h.Key, StringComparer.Ordinal);
        Assert.Equal(expectedHeaders, presigned.SignedHeaders.OrderBy(h => h.Key, StringComparer.Ordinal));

        var url = presigned.Url.OriginalString;
        if (vector.SignedUrl is not null)
        {
            Assert.StartsWith("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/", url, StringComparison.Ordinal);
            Assert.Equal(VectorRequests.DecodedPath(vector.SignedUrl), VectorRequests.DecodedPath(url));
            Assert.Equal(VectorRequests.RawQuerySegments(vector.SignedUrl), VectorRequests.RawQuerySegments(url));
        }
        else
        {
            List<KeyValuePair<string, string>> expectedQuery = [.. vector.InputQuery, new("x-oss-signature", vector.Signature)];
            Assert.Equal(expectedQuery.OrderBy(p => p.Key, StringComparer.Ordinal), OssWireFormat.ParseQuery(presigned.Url.Query).OrderBy(p => p.Key, StringComparer.Ordinal));
        }
    }

    [Fact]
    public void V4_presigned_url_is_byte_for_byte_what_ali_oss_produced()
    {
        var vector = SigningVectors.Get("v4-query-get-response-content-disposition");
        var signer = new OssV4Signer(VectorRequests.Endpoint(vector), new StaticCredentialsProvider(vector.Credentials), FixedTimeProvider.At(vector.FixedTime));

        var presigned = signer.Presign(new OssPresignOptions
        {
            Key = vector.Key,
            Expires = TimeSpan.FromSeconds(600),
            Query = vector.ExtraQueries,
        });

        Assert.Equal(vector.SignedUrl, presigned.Url.OriginalString);
        Assert.Equal(vector.SignedUrl, presigned.Url.AbsoluteUri);
    }

    [Fact]
    public void V4_presigner_takes_the_host_from_the_endpoint_when_host_is_listed_but_not_given()
    {
        var vector = SigningVectors.Get("v4-query-get-additional-host");
        var signer = new OssV4Signer(VectorRequests.Endpoint(vector), new StaticCredentialsProvider(vector.Credentials), FixedTimeProvider.At(vector.FixedTime));

        var presigned = signer.Presign(new OssPresignOptions { Key = vector.Key, Expires = TimeSpan.FromSeconds(600), AdditionalHeaders = ["Host"] });

        Assert.EndsWith("x-oss-signature=" + vector.Signature, presigned.Url.OriginalString, StringComparison.Ordinal);
        Assert.Equal([new("host", "examplebucket.oss-cn-hangzhou.aliyuncs.com")], presigned.SignedHeaders);
    }

    [Theory]
    [MemberData(nameof(SigningVectors.V1HeaderIds), MemberType = typeof(SigningVectors))]
    public void V1_header_signer_reproduces_the_vector(string id)
    {
        var vector = SigningVectors.Get(id);
        var endpoint = VectorRequests.Endpoint(vector);
        var signer = new OssV1Signer(endpoint, new StaticCredentialsProvider(vector.Credentials), FixedTimeProvider.At(vector.FixedTime));
        using var request = new HttpRequestMessage(new HttpMethod(vector.Method), endpoint.BuildObjectUri(vector.Key));
        foreach (var (name, value) in vector.RequestHeadersSent.Where(static h => h.Key != "x-oss-date"))
        {
            HttpRequests.AddHeader(request, name, value);
        }

        var trace = new SigningTrace();
        signer.SignRequest(request, vector.Key, query: null, trace);

        Assert.Equal(vector.StringToSign, trace.StringToSign);
        Assert.Equal(vector.Signature, trace.Signature);
        Assert.Equal(vector.Authorization, HttpRequests.Header(request, "Authorization"));
        Assert.Equal(vector.RequestHeadersSent.Single(static h => h.Key == "x-oss-date").Value, HttpRequests.Header(request, "x-oss-date"));
        Assert.Equal(vector.RequestUrl, request.RequestUri!.OriginalString);
    }

    [Theory]
    [MemberData(nameof(SigningVectors.V1QueryIds), MemberType = typeof(SigningVectors))]
    public void V1_presigner_reproduces_the_vector(string id)
    {
        var vector = SigningVectors.Get(id);
        var clock = FixedTimeProvider.At(vector.FixedTime);
        var signer = new OssV1Signer(VectorRequests.Endpoint(vector), new StaticCredentialsProvider(vector.Credentials), clock);

        var trace = new SigningTrace();
        var presigned = signer.Presign(
            new OssPresignOptions
            {
                Key = vector.Key,
                Expires = TimeSpan.FromSeconds(vector.ExpiresUnix!.Value - clock.Now.ToUnixTimeSeconds()),
                Query = VectorRequests.PresignQuery(vector),
            },
            trace);

        Assert.Equal(vector.StringToSign, trace.StringToSign);
        Assert.Equal(vector.Signature, trace.Signature);
        Assert.Equal(vector.SignedUrl, presigned.Url.OriginalString);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(vector.ExpiresUnix.Value), presigned.Expiration);
    }

    private static void AssertGoSdkAgrees(SigningVector vector, string? signature)
    {
        if (vector.ExpectedSignatureFromGoSdk is not null)
        {
            Assert.True(vector.MatchesGoSdk);
            Assert.Equal(vector.ExpectedSignatureFromGoSdk, signature);
        }
    }
}
