using System.Numerics;
using System.Text;
using CsCheck;
using LocalOss.Objects;

namespace LocalOss.Tests.Properties;

/// <summary>
/// The Range parser against a model written from RFC 9110 §14.1–14.2 (and OSS's two behaviours on top of it), over
/// headers generated from the grammar and from its near misses: any case of the unit, list elements with OWS and
/// empty ones, positions of any length (also past 2^63), suffixes, reversed ranges, signs, non-ASCII digits.
/// </summary>
public sealed class RangeRequestProperties
{
    private static readonly Gen<string> Digits = Gen.Frequency(
        (6, Gen.Long[0, 1200].Select(static n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (2, Gen.Char['0', '9'].Array[1, 30].Select(static c => new string(c))),
        (1, Gen.OneOf("9223372036854775807", "9223372036854775808", "18446744073709551616", "0000000000000000000000001", "00")));

    private static readonly Gen<string> Element = Gen.Frequency(
        (8, Gen.Select(Digits, Digits, static (first, last) => $"{first}-{last}")),
        (3, Digits.Select(static first => $"{first}-")),
        (3, Digits.Select(static suffix => $"-{suffix}")),
        (3, Gen.OneOf("", " ", "-", "--1", "1-2-3", "+1-2", "1-+2", "1 -2", "1- 2", "a-b", "0x1-2", "1.0-2", "\u0661-\u0662", "1-2;q=1", "=1-2", "1=2")));

    private static readonly Gen<string> Separator = Gen.OneOf(",", ", ", " ,", " , ", ",\t", ",,", ", ,");

    private static readonly Gen<string> Header = Gen.Select(
        Gen.OneOf("bytes", "BYTES", "Bytes", "bYtEs", "byte", "items", "bytes ", " bytes", ""),
        Gen.OneOf("=", "=", "=", " =", "= ", ":", ""),
        Gen.Select(Element, Separator).Array[0, 3],
        Element,
        Gen.OneOf("", "", " ", "\t", "  \t"),
        Gen.OneOf("", "", " ", "\t"),
        static (unit, equals, more, last, lead, trail) =>
        {
            var builder = new StringBuilder(lead).Append(unit).Append(equals);
            foreach (var (element, separator) in more)
            {
                builder.Append(element).Append(separator);
            }

            return builder.Append(last).Append(trail).ToString();
        });

    private static readonly Gen<long> Size = Gen.Frequency(
        (6, Gen.Long[0, 1000]),
        (1, Gen.OneOf(0L, 1L, long.MaxValue, 1L << 40)));

    [Fact]
    public void Evaluate_agrees_with_rfc_9110_and_the_oss_behaviours_for_generated_headers()
    {
        Gen.Select(Header, Size, Gen.Bool).Sample(
            static (header, size, standard) =>
            {
                var actual = RangeRequest.Evaluate(header, size, standard);
                var expected = Model(header, size, standard);
                if (expected.Outcome == ModelOutcome.Invalid)
                {
                    // RFC 9110 §14.2: a server MAY ignore or reject an invalid ranges-specifier; OSS ignores it by default.
                    Assert.True(
                        actual.Outcome == RangeOutcome.Whole || (standard && actual.Outcome == RangeOutcome.Unsatisfiable),
                        $"invalid specifier gave {actual}");
                    return;
                }

                Assert.Equal(expected.Decision, actual);
            },
            iter: PropertyRuns.Iterations,
            print: static input => $"header=\"{input.Item1.Replace("\t", "\\t", StringComparison.Ordinal)}\" size={input.Item2} standard={input.Item3}");
        PropertyRuns.Report(nameof(Evaluate_agrees_with_rfc_9110_and_the_oss_behaviours_for_generated_headers));
    }

    [Fact]
    public void A_partial_answer_always_lies_inside_the_object()
    {
        Gen.Select(Header, Size, Gen.Bool).Sample(
            static (header, size, standard) =>
            {
                var decision = RangeRequest.Evaluate(header, size, standard);
                if (decision.Outcome == RangeOutcome.Partial)
                {
                    Assert.InRange(decision.Start, 0, size - 1);
                    Assert.InRange(decision.Length, 1, size - decision.Start);
                }
            },
            iter: PropertyRuns.Iterations);
        PropertyRuns.Report(nameof(A_partial_answer_always_lies_inside_the_object));
    }

    private enum ModelOutcome
    {
        Decided,
        Invalid,
    }

    private readonly record struct Expected(ModelOutcome Outcome, RangeDecision Decision);

    /// <summary>
    /// RFC 9110: the field value without surrounding OWS (§5.5); <c>range-unit "=" range-set</c> with the unit compared
    /// case-insensitively (§14.1), any other unit ignored; <c>range-set = 1#range-spec</c> whose empty list elements a
    /// recipient ignores (§5.6.1.2); <c>int-range = first-pos "-" [ last-pos ]</c>, invalid when last &lt; first, and
    /// <c>suffix-range = "-" suffix-length</c>, both with <c>1*DIGIT</c> of any length (§14.1.1). Satisfiable: an
    /// int-range whose first-pos is below the size, a suffix-range with a non-zero length on a non-empty object; a
    /// last-pos past the end, or a suffix longer than the object, selects up to the end (§14.1.1).
    /// OSS on top: by default anything it would not serve exactly is ignored (200, whole object); with
    /// <c>x-oss-range-behavior: standard</c> it clamps and answers 416 for the unsatisfiable. Several ranges: ignored
    /// by default, 416 in standard mode (RangeRequest's documented choice).
    /// </summary>
    private static Expected Model(string header, long size, bool standard)
    {
        var whole = new Expected(ModelOutcome.Decided, RangeDecision.Whole);
        var value = header.Trim(' ', '\t');
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0 || !IsToken(value[..equals]))
        {
            return new Expected(ModelOutcome.Invalid, default);
        }

        if (!value[..equals].Equals("bytes", StringComparison.OrdinalIgnoreCase))
        {
            return whole;
        }

        var specs = new List<string>();
        foreach (var element in value[(equals + 1)..].Split(','))
        {
            var trimmed = element.Trim(' ', '\t');
            if (trimmed.Length > 0)
            {
                specs.Add(trimmed);
            }
        }

        if (specs.Count == 0)
        {
            return new Expected(ModelOutcome.Invalid, default);
        }

        var parsed = new List<(BigInteger? First, BigInteger? Last)>();
        foreach (var spec in specs)
        {
            var dash = spec.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                return new Expected(ModelOutcome.Invalid, default);
            }

            var first = spec[..dash];
            var last = spec[(dash + 1)..];
            if (first.Length == 0 ? !IsDigits(last) : !IsDigits(first) || (last.Length > 0 && !IsDigits(last)))
            {
                return new Expected(ModelOutcome.Invalid, default);
            }

            BigInteger? firstPos = first.Length == 0 ? null : BigInteger.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
            BigInteger? lastPos = last.Length == 0 ? null : BigInteger.Parse(last, System.Globalization.CultureInfo.InvariantCulture);
            if (firstPos is { } f && lastPos is { } l && l < f)
            {
                return new Expected(ModelOutcome.Invalid, default);
            }

            parsed.Add((firstPos, lastPos));
        }

        if (parsed.Count > 1)
        {
            return new Expected(ModelOutcome.Decided, standard ? RangeDecision.Unsatisfiable : RangeDecision.Whole);
        }

        var (start, end) = parsed[0];
        BigInteger from, to;
        if (start is null)
        {
            var suffix = end!.Value;
            if (suffix == 0 || size == 0)
            {
                return new Expected(ModelOutcome.Decided, standard ? RangeDecision.Unsatisfiable : RangeDecision.Whole);
            }

            if (suffix > size && !standard)
            {
                return whole;
            }

            from = BigInteger.Max(0, size - suffix);
            to = size - 1;
        }
        else
        {
            if (start.Value >= size)
            {
                return new Expected(ModelOutcome.Decided, standard ? RangeDecision.Unsatisfiable : RangeDecision.Whole);
            }

            if (end is { } e && e >= size && !standard)
            {
                return whole;
            }

            from = start.Value;
            to = end is { } last ? BigInteger.Min(last, size - 1) : size - 1;
        }

        return new Expected(ModelOutcome.Decided, new RangeDecision(RangeOutcome.Partial, (long)from, (long)(to - from + 1)));
    }

    private static bool IsDigits(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    private static bool IsToken(string text) =>
        text.Length > 0 && text.All(static c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal));
}
