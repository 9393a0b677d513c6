using Schedule = Gateway.Oss.RefreshingCredentialsProvider.RefreshSchedule;

namespace Gateway.Oss.Tests.Credentials;

public sealed class RefreshScheduleTests
{
    private static readonly DateTimeOffset Fetched = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static OssCredentials Expiring(TimeSpan lifetime) => new("STS.id", "secret", "token") { Expiration = Fetched + lifetime };

    [Fact]
    public void The_first_fetch_is_immediate() =>
        Assert.Equal(TimeSpan.Zero, Schedule.NextDelay(null, default, failures: 0, Fetched, random: 0.5));

    [Theory]
    [InlineData(0.0, 40)]
    [InlineData(0.999, 34)]
    public void A_refresh_is_due_two_thirds_into_the_lifetime_less_up_to_a_tenth(double random, int expectedMinutes)
    {
        var delay = Schedule.NextDelay(Expiring(TimeSpan.FromHours(1)), Fetched, failures: 0, Fetched, random);

        Assert.InRange(delay.TotalMinutes, expectedMinutes - 0.1, expectedMinutes + 0.1);
    }

    [Fact]
    public void Jitter_spreads_replicas_that_fetched_together()
    {
        var delays = Enumerable.Range(0, 10).Select(i => Schedule.NextDelay(Expiring(TimeSpan.FromHours(1)), Fetched, 0, Fetched, i / 10.0)).Distinct().Count();

        Assert.Equal(10, delays);
    }

    [Fact]
    public void Failures_back_off_exponentially_up_to_a_minute()
    {
        var current = Expiring(TimeSpan.FromHours(6));
        var delays = Enumerable.Range(1, 10).Select(failures => Schedule.NextDelay(current, Fetched, failures, Fetched, random: 0.5).TotalSeconds).ToArray();

        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60, 60, 60], delays);
    }

    [Fact]
    public void Near_expiry_a_retry_comes_within_a_quarter_of_what_is_left()
    {
        var current = Expiring(TimeSpan.FromHours(1));
        var now = Fetched + TimeSpan.FromMinutes(59);

        var delay = Schedule.NextDelay(current, Fetched, failures: 8, now, random: 0.5);

        Assert.Equal(TimeSpan.FromSeconds(15), delay);
    }

    [Fact]
    public void Without_credentials_failures_still_back_off_but_at_most_5_s() =>
        Assert.Equal(
            [1.0, 2.0, 4.0, 5.0, 5.0],
            Enumerable.Range(1, 5).Select(failures => Schedule.NextDelay(null, default, failures, Fetched, random: 0.5).TotalSeconds).ToArray());

    [Fact]
    public void With_expired_credentials_retries_are_at_most_5_s_apart() =>
        Assert.Equal(TimeSpan.FromSeconds(5), Schedule.NextDelay(Expiring(TimeSpan.FromHours(1)), Fetched, failures: 9, Fetched + TimeSpan.FromHours(2), random: 0.5));

    [Fact]
    public void Credentials_without_an_expiry_are_fetched_again_hourly() =>
        Assert.Equal(TimeSpan.FromHours(1), Schedule.NextDelay(new OssCredentials("id", "secret"), Fetched, 0, Fetched, 0.5));
}
