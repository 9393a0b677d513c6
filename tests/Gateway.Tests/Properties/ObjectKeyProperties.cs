using System.Text;
using CsCheck;
using Gateway.Admin;
using Gateway.Oss;
using Gateway.Oss.Verification;

namespace Gateway.Tests.Properties;

/// <summary>
/// Object keys against OSS's rule (1–1023 bytes of UTF-8, no leading '/' or '\') plus the gateway's own (no control
/// characters, no lone surrogates); and every key the API accepts is addressed upstream as exactly that key, dot
/// segments and all (PITFALLS 4), in every addressing style.
/// </summary>
public sealed class ObjectKeyProperties
{
    private static readonly Gen<string> Candidate = Gen.Frequency(
        (6, Texts.Short),
        (1, Texts.WithLoneSurrogates),
        (1, Gen.Select(Gen.OneOf("a", "é", "报", "😀"), Gen.Int[300, 1100]).Select(static (unit, count) => string.Concat(Enumerable.Repeat(unit, count)))),
        (1, Gen.Select(Gen.OneOf("/", "\\"), Texts.Short).Select(static (lead, rest) => lead + rest)));

    private static readonly Gen<OssAddressingStyle> Style = Gen.Enum<OssAddressingStyle>();

    [Fact]
    public void A_key_is_accepted_exactly_when_it_follows_the_rules()
    {
        Candidate.Sample(
            static key => Assert.Equal(FollowsRules(key), CreateLinkValidator.KeyError(key) is null),
            iter: PropertyRuns.Iterations,
            print: Texts.Escape);
        PropertyRuns.Report(nameof(A_key_is_accepted_exactly_when_it_follows_the_rules));
    }

    [Fact]
    public void An_accepted_key_is_addressed_upstream_as_exactly_itself()
    {
        Gen.Select(Candidate.Where(static key => CreateLinkValidator.KeyError(key) is null), Style).Sample(
            static (key, style) =>
            {
                var endpoint = style switch
                {
                    OssAddressingStyle.Path => new OssEndpoint(new Uri("http://127.0.0.1:9000"), "bucket", "cn-hangzhou", style),
                    OssAddressingStyle.VirtualHosted => new OssEndpoint(new Uri("https://oss-cn-hangzhou.aliyuncs.com"), "bucket", "cn-hangzhou", style),
                    _ => new OssEndpoint(new Uri("https://files.example.com"), "bucket", "cn-hangzhou", style),
                };

                // What HttpClient writes on the request line, decoded as OSS decodes it.
                var path = endpoint.BuildObjectUri(key).PathAndQuery;
                var prefix = style == OssAddressingStyle.Path ? "/bucket/" : "/";
                Assert.StartsWith(prefix, path, StringComparison.Ordinal);
                Assert.DoesNotContain('?', path);
                Assert.Equal(key, OssWireFormat.DecodePath(path[prefix.Length..]));
            },
            iter: PropertyRuns.Iterations,
            print: static input => $"{Texts.Escape(input.Item1)} {input.Item2}");
        PropertyRuns.Report(nameof(An_accepted_key_is_addressed_upstream_as_exactly_itself));
    }

    private static bool FollowsRules(string key)
    {
        if (key.Length == 0 || key[0] is '/' or '\\' || key.Any(char.IsControl))
        {
            return false;
        }

        for (var i = 0; i < key.Length; i++)
        {
            if (char.IsHighSurrogate(key[i]) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(key[i]))
            {
                return false;
            }
        }

        return Encoding.UTF8.GetByteCount(key) <= CreateLinkValidator.MaxKeyBytes;
    }
}
