namespace Gateway.FunctionalTests;

public sealed class SmokeTests
{
    [Fact]
    public void Builds() => Assert.True(true);
}
