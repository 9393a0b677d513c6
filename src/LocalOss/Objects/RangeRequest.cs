namespace LocalOss.Objects;

internal enum RangeOutcome
{
    /// <summary>Serve the whole object with 200: no Range, or one OSS ignores.</summary>
    Whole,

    /// <summary>Serve <see cref="RangeDecision.Start"/> and <see cref="RangeDecision.Length"/> with 206.</summary>
    Partial,

    /// <summary>416 InvalidRange (only with <c>x-oss-range-behavior: standard</c>).</summary>
    Unsatisfiable,
}

internal readonly record struct RangeDecision(RangeOutcome Outcome, long Start = 0, long Length = 0)
{
    public static readonly RangeDecision Whole = new(RangeOutcome.Whole);
    public static readonly RangeDecision Unsatisfiable = new(RangeOutcome.Unsatisfiable);

    public long End => Start + Length - 1;
}

/// <summary>
/// OSS's Range rules (oss/SIGNING.md §11.6). By default a malformed or unsatisfiable range is ignored and
/// the whole object is served with 200; with <c>x-oss-range-behavior: standard</c> an end past the size is
/// clamped and a start at or past the size gives 416.
/// Multiple ranges (<c>bytes=0-1,5-9</c>): OSS's documents disagree (serve the first, or InvalidRange). We
/// treat them like any range OSS cannot serve: ignored (200, whole object) by default, 416 in standard mode.
/// Never the first range alone, because a client that asked for several would misread a single-part 206.
/// </summary>
internal static class RangeRequest
{
    private const string Unit = "bytes=";

    /// <summary>OWS (RFC 9110 §5.6.3): space and tab only. Other whitespace is no part of the grammar.</summary>
    private const string Ows = " \t";

    /// <summary>Where positions saturate: one past the largest size, so it compares as larger than every object.</summary>
    private static readonly UInt128 Beyond = (UInt128)long.MaxValue + 1;

    public static RangeDecision Evaluate(string? header, long size, bool standard)
    {
        // The field value without its surrounding OWS (§5.5), the unit compared case-insensitively (§14.1).
        var value = header.AsSpan().Trim(Ows);
        if (!value.StartsWith(Unit, StringComparison.OrdinalIgnoreCase))
        {
            return RangeDecision.Whole;
        }

        // range-set = 1#range-spec; a recipient ignores empty list elements and the OWS around them (§5.6.1.2).
        var set = value[Unit.Length..];
        ReadOnlySpan<char> spec = default;
        var specs = 0;
        foreach (var range in set.Split(','))
        {
            var element = set[range].Trim(Ows);
            if (!element.IsEmpty)
            {
                spec = element;
                specs++;
            }
        }

        if (specs == 0)
        {
            return RangeDecision.Whole;
        }

        if (specs > 1)
        {
            return standard ? RangeDecision.Unsatisfiable : RangeDecision.Whole;
        }

        var dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return RangeDecision.Whole;
        }

        var first = spec[..dash];
        var last = spec[(dash + 1)..];
        var objectSize = (UInt128)size;
        if (first.IsEmpty)
        {
            return TryParse(last, out var suffix) ? Suffix(suffix, size, standard) : RangeDecision.Whole;
        }

        if (!TryParse(first, out var start))
        {
            return RangeDecision.Whole;
        }

        if (last.IsEmpty)
        {
            return start < objectSize ? new(RangeOutcome.Partial, (long)start, size - (long)start)
                : standard ? RangeDecision.Unsatisfiable : RangeDecision.Whole;
        }

        if (!TryParse(last, out var end) || end < start)
        {
            return RangeDecision.Whole;
        }

        if (start >= objectSize)
        {
            return standard ? RangeDecision.Unsatisfiable : RangeDecision.Whole;
        }

        if (end >= objectSize)
        {
            if (!standard)
            {
                return RangeDecision.Whole;
            }

            end = objectSize - 1;
        }

        return new(RangeOutcome.Partial, (long)start, (long)(end - start + 1));
    }

    private static RangeDecision Suffix(UInt128 length, long size, bool standard)
    {
        if (length > 0 && length <= (UInt128)size)
        {
            return new(RangeOutcome.Partial, size - (long)length, (long)length);
        }

        if (!standard)
        {
            return RangeDecision.Whole;
        }

        // RFC 9110 §14.1.3: a suffix longer than the representation selects all of it.
        return length == 0 || size == 0 ? RangeDecision.Unsatisfiable : new(RangeOutcome.Partial, 0, size);
    }

    /// <summary>
    /// <c>1*DIGIT</c> of any length (§14.1.1): a position past <see cref="long.MaxValue"/> is still a valid one, past
    /// the end of any object, so it saturates at <see cref="Beyond"/> instead of failing (which would ignore a range
    /// OSS clamps or refuses). Beyond is larger than every size, so comparisons with the size stay exact.
    /// </summary>
    private static bool TryParse(ReadOnlySpan<char> digits, out UInt128 value)
    {
        value = 0;
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = value >= Beyond ? Beyond : UInt128.Min(Beyond, (value * 10) + (uint)(c - '0'));
        }

        return true;
    }
}
