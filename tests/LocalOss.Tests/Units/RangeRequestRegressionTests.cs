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
}
