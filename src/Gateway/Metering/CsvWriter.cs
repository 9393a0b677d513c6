using System.Globalization;
using System.Text;

namespace Gateway.Metering;

/// <summary>
/// RFC 4180 text: CRLF after every record, and a field in double quotes (its quotes doubled) when
/// it holds a comma, a quote, CR or LF.
/// </summary>
internal sealed class CsvWriter
{
    public const string ContentType = "text/csv; charset=utf-8; header=present";

    private static readonly System.Buffers.SearchValues<char> NeedsQuoting = System.Buffers.SearchValues.Create(",\"\r\n");

    private readonly StringBuilder _text = new();
    private bool _inRecord;

    public CsvWriter Field(string? value)
    {
        if (_inRecord)
        {
            _text.Append(',');
        }

        _inRecord = true;
        if (string.IsNullOrEmpty(value))
        {
            return this;
        }

        if (value.AsSpan().IndexOfAny(NeedsQuoting) < 0)
        {
            _text.Append(value);
        }
        else
        {
            _text.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }

        return this;
    }

    public CsvWriter Field(long value) => Field(value.ToString(CultureInfo.InvariantCulture));

    public CsvWriter Field(DateOnly value) => Field(value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    public CsvWriter Field(DateTimeOffset? value) => Field(value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));

    public CsvWriter EndRecord()
    {
        _text.Append("\r\n");
        _inRecord = false;
        return this;
    }

    public override string ToString() => _text.ToString();
}
