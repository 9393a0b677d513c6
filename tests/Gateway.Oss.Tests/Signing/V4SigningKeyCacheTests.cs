using Gateway.Oss.Signing;
using Gateway.Oss.Tests.Support;

namespace Gateway.Oss.Tests.Signing;

public sealed class V4SigningKeyCacheTests
{
    [Fact]
    public void Derived_key_matches_the_worked_example_in_the_signing_reference()
    {
        var key = new byte[32];

        V4SigningKeyCache.DeriveSigningKey("TESTSECRET0123456789abcdefABCDEF", "20241112", "cn-hangzhou", "oss", key);

        Assert.Equal("217af712affe450051a3cce2e004dafbabe63de78186f39462694d8a5c4ef72d", Convert.ToHexStringLower(key));
    }

    [Fact]
    public void Signing_many_requests_on_one_day_derives_the_key_once()
    {
        var clock = FixedTimeProvider.At("20241112T092756Z");
        var endpoint = new OssEndpoint(new Uri("https://oss-cn-hangzhou.aliyuncs.com"), "examplebucket", "cn-hangzhou", OssAddressingStyle.VirtualHosted);
        var signer = new OssV4Signer(endpoint, new StaticCredentialsProvider(new("ak", "sk")), clock);

        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, endpoint.BuildObjectUri("k"));
            signer.SignRequest(request, "k");
            clock.Advance(TimeSpan.FromMinutes(10));
        }

        signer.Presign(new OssPresignOptions { Key = "k" });

        Assert.Equal(1, signer.SigningKeys.Derivations);
    }

    [Fact]
    public void A_new_day_or_a_rotated_secret_derives_a_new_key()
    {
        var cache = new V4SigningKeyCache();

        var first = cache.Get(new("ak", "sk"), "20241112", "cn-hangzhou", "oss");
        Assert.Same(first, cache.Get(new("ak", "sk"), "20241112", "cn-hangzhou", "oss"));
        var nextDay = cache.Get(new("ak", "sk"), "20241113", "cn-hangzhou", "oss");
        var rotated = cache.Get(new("ak", "sk2"), "20241113", "cn-hangzhou", "oss");

        Assert.NotEqual(first.Key, nextDay.Key);
        Assert.NotEqual(nextDay.Key, rotated.Key);
        Assert.Equal("20241113/cn-hangzhou/oss/aliyun_v4_request", rotated.Scope);
        Assert.Equal(3, cache.Derivations);
    }

    [Fact]
    public void Concurrent_signers_agree_on_the_key()
    {
        var cache = new V4SigningKeyCache();
        var expected = new byte[32];
        V4SigningKeyCache.DeriveSigningKey("sk", "20241112", "cn-hangzhou", "oss", expected);

        Parallel.For(0, 1000, i =>
        {
            var entry = cache.Get(new($"ak{i % 8}", "sk"), "20241112", "cn-hangzhou", "oss");
            Assert.Equal(expected, entry.Key);
        });

        Assert.InRange(cache.Derivations, 8, 1000);
    }
}
