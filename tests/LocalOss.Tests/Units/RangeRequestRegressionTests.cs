using LocalOss.Objects;

namespace LocalOss.Tests.Units;

/// <summary>Cases RangeRequestProperties found where the parser departed from RFC 9110; each stays as a plain test.</summary>
public sealed class RangeRequestRegressionTests
{
    [Theory]
    [InlineData(" bytes=0-9", false, "Partial", 0, 10)]
    [InlineData("bytes=0-9\t", true, "Partial", 0, 10)]
    [InlineData("bytes=0-99999999999999999999", true, "Partial", 0, 100)]
    [InlineData("bytes=0-99999999999999999999", false, "Whole", 0, 0)]
    [InlineData("bytes=99999999999999999999-", true, "Unsatisfiable", 0, 0)]
    [InlineData("bytes=99999999999999999999-99999999999999999999", true, "Unsatisfiable", 0, 0)]
    [InlineData("bytes=-99999999999999999999", true, "Partial", 0, 100)]
    [InlineData("bytes=-99999999999999999999", false, "Whole", 0, 0)]
    [InlineData("bytes=0-9,", true, "Partial", 0, 10)]
    [InlineData("bytes=, 0-9 ,,", false, "Partial", 0, 10)]
    [InlineData("bytes=,", true, "Whole", 0, 0)]
    [InlineData("bytes=\u00A00-9", false, "Whole", 0, 0)]
    [InlineData("bytes=0-9\u2003", true, "Whole", 0, 0)]
    public void Evaluate_follows_rfc_9110_on_a_100_byte_object(string header, bool standard, string outcome, long start, long length)
    {
        var decision = RangeRequest.Evaluate(header, 100, standard);

        Assert.Equal(outcome, decision.Outcome.ToString());
        if (decision.Outcome == RangeOutcome.Partial)
        {
            Assert.Equal(start, decision.Start);
            Assert.Equal(length, decision.Length);
        }
    }

    /// <summary>Positions past 2^63 saturated at long.MaxValue at first, which equals the largest possible size.</summary>
    [Theory]
    [InlineData("bytes=-99999999999999999999", false, "Whole")]
    [InlineData("bytes=-9223372036854775808", false, "Whole")]
    [InlineData("bytes=-9223372036854775807", false, "Partial")]
    [InlineData("bytes=9223372036854775807-", true, "Unsatisfiable")]
    public void Positions_past_the_largest_size_compare_as_larger(string header, bool standard, string outcome) =>
        Assert.Equal(outcome, RangeRequest.Evaluate(header, long.MaxValue, standard).Outcome.ToString());
}
