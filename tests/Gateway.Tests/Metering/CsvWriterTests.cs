using Gateway.Metering;

namespace Gateway.Tests.Metering;

public sealed class CsvWriterTests
{
    [Fact]
    public void Records_end_with_CRLF_and_only_fields_that_need_it_are_quoted()
    {
        var csv = new CsvWriter()
            .Field("plain").Field("with,comma").Field("with \"quotes\"").Field("two\r\nlines").Field((string?)null).EndRecord()
            .Field(42).Field(new DateOnly(2026, 11, 28)).Field(new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.FromHours(8))).EndRecord();

        Assert.Equal("plain,\"with,comma\",\"with \"\"quotes\"\"\",\"two\r\nlines\",\r\n42,2026-11-28,2026-11-28T00:00:00.000Z\r\n", csv.ToString());
    }
}
