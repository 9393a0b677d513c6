using Gateway.Metering;

namespace Gateway.Tests.Metering;

public sealed class MeteringOptionsValidatorTests
{
    [Fact]
    public void The_defaults_are_valid_and_promise_a_flush_every_second()
    {
        var options = new MeteringOptions();

        Assert.True(new MeteringOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(90, options.RetentionDays);
        Assert.Equal(TimeSpan.FromSeconds(1), options.FlushInterval);
    }

    [Theory]
    [InlineData("RetentionDays")]
    [InlineData("FlushInterval")]
    [InlineData("MaxPendingEntries")]
    [InlineData("TopLinksPerDay")]
    public void Each_bad_setting_is_named_by_its_key(string setting)
    {
        var options = new MeteringOptions();
        switch (setting)
        {
            case "RetentionDays": options.RetentionDays = 0; break;
            case "FlushInterval": options.FlushInterval = TimeSpan.FromSeconds(2); break;
            case "MaxPendingEntries": options.MaxPendingEntries = 0; break;
            default: options.TopLinksPerDay = 0; break;
        }

        var result = new MeteringOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"Gateway:Metering:{setting}", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }
}
