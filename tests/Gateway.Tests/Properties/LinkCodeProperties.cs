using CsCheck;
using Gateway.Admin;
using Gateway.Buckets;
using Gateway.Hosting;
using Gateway.Links;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Properties;

/// <summary>
/// Link codes against the rule DESIGN.md states: vanity codes are <c>[A-Za-z0-9_-]{3,64}</c> and never a reserved
/// path (in any letter case); the download path's quick check agrees with the admin API's; random codes always pass.
/// </summary>
public sealed class LinkCodeProperties
{
    private static readonly string[] Reserved = ["api", "healthz", "readyz", "metrics", "openapi", "swagger", "favicon.ico", "robots.txt", "static", "admin", "_", "well-known"];

    private static readonly Gen<char> CodeChar = Gen.Frequency(
        (20, Gen.Char["ABCXYZabcxyz0189_-"]),
        (2, Gen.Char['\u0020', '\u007E']),
        (1, Gen.OneOf('\n', '\r', '\t', '\0', '\u00E9', '\u0661', '\uFF21', '\u0130', '\u0131', '\u212A', '\u00A0', '\u2028')));

    /// <summary>Lengths around both bounds are as likely as the middle; reserved words in any case are in the mix.</summary>
    private static readonly Gen<string> Candidate = Gen.Frequency(
        (8, CodeChar.Array[0, 70].Select(static chars => new string(chars))),
        (2, Gen.Select(Gen.OneOf(Reserved), Gen.Bool.Array[11]).Select(static (word, upper) => RandomCase(word, upper))),
        (2, Gen.Select(CodeChar.Array[3, 64], Gen.OneOf("\n", "\r\n", "\r", "\0", " ", "\t")).Select(static (chars, tail) => new string(chars) + tail)));

    [Fact]
    public void The_download_path_check_is_exactly_the_vanity_grammar()
    {
        Candidate.Sample(
            static code => Assert.Equal(MatchesGrammar(code), LinkCode.IsWellFormed(code)),
            iter: PropertyRuns.Iterations,
            print: Texts.Escape);
        PropertyRuns.Report(nameof(The_download_path_check_is_exactly_the_vanity_grammar));
    }

    [Fact]
    public void The_admin_api_accepts_a_vanity_code_exactly_when_it_is_well_formed_and_not_reserved()
    {
        var buckets = new BucketRegistry(Options.Create(new GatewayOptions()), TimeProvider.System, new ConfigurationBuilder().Build());
        Candidate.Sample(
            code =>
            {
                var errors = CreateLinkValidator.Validate(new CreateLinkRequest { Code = code, Key = "k" }, buckets, DateTimeOffset.UnixEpoch);
                var expected = MatchesGrammar(code) && !Reserved.Contains(code, StringComparer.OrdinalIgnoreCase);
                Assert.Equal(expected, !errors.ContainsKey("code"));

                // Whatever the API accepts, the download path must find again.
                Assert.True(errors.ContainsKey("code") || LinkCode.IsWellFormed(code));
            },
            iter: PropertyRuns.Iterations,
            print: Texts.Escape);
        PropertyRuns.Report(nameof(The_admin_api_accepts_a_vanity_code_exactly_when_it_is_well_formed_and_not_reserved));
    }

    [Fact]
    public void Random_codes_are_ten_base62_characters_and_never_reserved()
    {
        Gen.Int.Sample(
            static _ =>
            {
                var code = LinkCode.NewRandom();
                Assert.Equal(LinkCode.RandomLength, code.Length);
                Assert.All(code, static c => Assert.True(char.IsAsciiLetterOrDigit(c)));
                Assert.True(LinkCode.IsWellFormed(code));
                Assert.False(LinkCode.IsReserved(code));
            },
            iter: PropertyRuns.Iterations);
        PropertyRuns.Report(nameof(Random_codes_are_ten_base62_characters_and_never_reserved));
    }

    private static bool MatchesGrammar(string code) =>
        code.Length is >= LinkCode.MinLength and <= LinkCode.MaxLength && code.All(static c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-');

    private static string RandomCase(string word, bool[] upper) =>
        string.Create(word.Length, (word, upper), static (span, state) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = state.upper[i % state.upper.Length] ? char.ToUpperInvariant(state.word[i]) : state.word[i];
            }
        });
}
