using LocalOss.Objects;

namespace LocalOss.Tests.Units;

// Outcomes are passed by name: RangeOutcome is internal and cannot appear in a public test signature.
public sealed class RangeRequestTests
{
    [Theory]
    [InlineData(null, false, "Whole", 0, 0)]
    [InlineData("bytes=0-0", false, "Partial", 0, 1)]
    [InlineData("BYTES=1-2", false, "Partial", 1, 2)]
    [InlineData("bytes= 5-9 ", false, "Partial", 5, 5)]
    [InlineData("bytes=-10", false, "Partial", 90, 10)]
    [InlineData("bytes=-100", false, "Partial", 0, 100)]
    [InlineData("bytes=-101", false, "Whole", 0, 0)]
    [InlineData("bytes=-101", true, "Partial", 0, 100)]
    [InlineData("bytes=-0", true, "Unsatisfiable", 0, 0)]
    [InlineData("bytes=99999999999999999999-", false, "Whole", 0, 0)]
    [InlineData("bytes=+1-2", false, "Whole", 0, 0)]
    [InlineData("bytes=1-2-3", false, "Whole", 0, 0)]
    [InlineData("bytes=5-4", true, "Whole", 0, 0)]
    [InlineData("items=0-1", true, "Whole", 0, 0)]
    public void Evaluate_follows_oss_rules_on_a_100_byte_object(string? header, bool standard, string outcome, long start, long length)
    {
        var decision = RangeRequest.Evaluate(header, 100, standard);

        Assert.Equal(outcome, decision.Outcome.ToString());
        if (decision.Outcome == RangeOutcome.Partial)
        {
            Assert.Equal(start, decision.Start);
            Assert.Equal(length, decision.Length);
        }
    }

    [Theory]
    [InlineData("bytes=0-0", false, "Whole")]
    [InlineData("bytes=0-0", true, "Unsatisfiable")]
    [InlineData("bytes=-1", true, "Unsatisfiable")]
    public void Any_range_of_an_empty_object_is_ignored_or_unsatisfiable(string header, bool standard, string outcome)
    {
        Assert.Equal(outcome, RangeRequest.Evaluate(header, 0, standard).Outcome.ToString());
    }
}
