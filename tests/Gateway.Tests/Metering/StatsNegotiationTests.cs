using Gateway.Metering;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Metering;

public sealed class StatsNegotiationTests
{
    [Theory]
    [InlineData("text/csv", true)]
    [InlineData("text/csv; charset=utf-8", true)]
    [InlineData("application/json;q=0.5, text/csv", true)]
    [InlineData("TEXT/CSV", true)]
    [InlineData(null, false)]
    [InlineData("*/*", false)]
    [InlineData("application/json", false)]
    [InlineData("text/csv, application/json", false)]
    [InlineData("text/csv;q=0", false)]
    [InlineData("text/html,application/xhtml+xml,*/*;q=0.8", false)]
    public void Csv_only_when_the_client_prefers_it(string? accept, bool csv)
    {
        var context = new DefaultHttpContext();
        if (accept is not null)
        {
            context.Request.Headers.Accept = accept;
        }

        Assert.Equal(csv, StatsApi.WantsCsv(context.Request));
    }
}
