using System.Text;
using CsCheck;
using Gateway.Downloads;
using Gateway.Links;

namespace Gateway.Tests.Properties;

/// <summary>
/// For any file name (CR/LF, quotes, backslashes, '%', controls, any Unicode, 10 KB long), Content-Disposition is one
/// valid header line (visible ASCII and spaces only, which Kestrel sends as is) of the form RFC 6266 §4.1 describes:
/// the disposition type, one <c>filename</c> (token or quoted-string) and one <c>filename*</c> (RFC 8187 ext-value)
/// that decodes to exactly the name.
/// </summary>
public sealed class ContentDispositionProperties
{
    private static readonly Gen<string> Name = Gen.Frequency((20, Texts.Short), (1, Texts.Huge));

    [Fact]
    public void Any_file_name_gives_one_valid_header_that_round_trips_the_name()
    {
        Gen.Select(Name, Gen.Bool).Sample(
            static (name, inline) =>
            {
                var link = new Link
                {
                    Code = "abc",
                    Bucket = "b",
                    Key = "k",
                    Filename = name,
                    Disposition = inline ? ContentDispositionType.Inline : ContentDispositionType.Attachment,
                    CreatedAt = DateTimeOffset.UnixEpoch,
                };

                var header = ContentDisposition.For(link);

                var parsed = Parse(header);
                Assert.Equal(inline ? "inline" : "attachment", parsed.Type);
                Assert.Equal(name.Length == 0 ? "download" : name, parsed.FilenameStar);
                Assert.Equal(Fallback(name.Length == 0 ? "download" : name), parsed.Filename);
            },
            iter: PropertyRuns.Iterations,
            print: static input => Texts.Escape(input.Item1));
        PropertyRuns.Report(nameof(Any_file_name_gives_one_valid_header_that_round_trips_the_name));
    }

    [Fact]
    public void A_name_taken_from_any_key_gives_one_valid_header_that_round_trips_it()
    {
        Texts.Short.Where(static key => key.Length > 0).Sample(
            static key =>
            {
                var header = ContentDisposition.For(new Link { Code = "abc", Bucket = "b", Key = key, CreatedAt = DateTimeOffset.UnixEpoch });

                var trimmed = key.TrimEnd('/');
                var name = trimmed[(trimmed.LastIndexOf('/') + 1)..];
                Assert.Equal(name.Length == 0 ? "download" : name, Parse(header).FilenameStar);
            },
            iter: PropertyRuns.Iterations,
            print: Texts.Escape);
        PropertyRuns.Report(nameof(A_name_taken_from_any_key_gives_one_valid_header_that_round_trips_it));
    }

    [Fact]
    public void Names_with_lone_surrogates_still_give_one_valid_header()
    {
        Texts.WithLoneSurrogates.Sample(
            static name =>
            {
                var header = ContentDisposition.For(new Link { Code = "abc", Bucket = "b", Key = "k", Filename = name, CreatedAt = DateTimeOffset.UnixEpoch });

                // Not valid Unicode, so it cannot round-trip; it must still be one clean header, with U+FFFD in its place.
                Assert.Equal(ReplaceLoneSurrogates(name), Parse(header).FilenameStar);
            },
            iter: PropertyRuns.Iterations,
            print: Texts.Escape);
        PropertyRuns.Report(nameof(Names_with_lone_surrogates_still_give_one_valid_header));
    }

    private static string ReplaceLoneSurrogates(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(text, i++, 2);
            }
            else
            {
                builder.Append(char.IsSurrogate(text[i]) ? '\uFFFD' : text[i]);
            }
        }

        return builder.ToString();
    }

    /// <summary>The ASCII fallback for clients without RFC 8187: printable ASCII kept, anything else one '_' per UTF-16 unit.</summary>
    private static string Fallback(string name) =>
        string.Create(name.Length, name, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = source[i] is >= ' ' and <= '~' ? source[i] : '_';
            }
        });

    private readonly record struct Disposition(string Type, string Filename, string FilenameStar);

    /// <summary>
    /// A strict reader of <c>disposition-type *( OWS ";" OWS disposition-parm )</c> (RFC 6266 §4.1) that allows exactly
    /// the two file name parameters, each once.
    /// </summary>
    private static Disposition Parse(string header)
    {
        Assert.All(header, static c => Assert.True(c is >= ' ' and <= '~', $"character U+{(int)c:X4} in the header"));
        var position = 0;
        var type = Token(header, ref position);
        string? filename = null;
        string? filenameStar = null;
        while (position < header.Length)
        {
            SkipOws(header, ref position);
            Assert.Equal(';', header[position++]);
            SkipOws(header, ref position);
            var name = Token(header, ref position);
            Assert.Equal('=', header[position++]);
            switch (name.ToLowerInvariant())
            {
                case "filename":
                    Assert.Null(filename);
                    filename = position < header.Length && header[position] == '"' ? QuotedString(header, ref position) : Token(header, ref position);
                    break;
                case "filename*":
                    Assert.Null(filenameStar);
                    filenameStar = ExtValue(header, ref position);
                    break;
                default:
                    Assert.Fail($"unexpected parameter '{name}'");
                    break;
            }
        }

        Assert.NotNull(filename);
        Assert.NotNull(filenameStar);
        return new Disposition(type, filename, filenameStar);
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);

    private static string Token(string header, ref int position)
    {
        var start = position;
        while (position < header.Length && IsTokenChar(header[position]))
        {
            position++;
        }

        Assert.True(position > start, $"a token was expected at {start}");
        return header[start..position];
    }

    private static string QuotedString(string header, ref int position)
    {
        var value = new StringBuilder();
        position++;
        while (true)
        {
            Assert.True(position < header.Length, "unterminated quoted-string");
            var c = header[position++];
            if (c == '"')
            {
                return value.ToString();
            }

            if (c == '\\')
            {
                value.Append(header[position++]);
            }
            else
            {
                value.Append(c);
            }
        }
    }

    /// <summary><c>ext-value = charset "'" [ language ] "'" value-chars</c> with UTF-8 and strict percent-decoding.</summary>
    private static string ExtValue(string header, ref int position)
    {
        const string Prefix = "UTF-8''";
        Assert.True(string.CompareOrdinal(header, position, Prefix, 0, Prefix.Length) == 0, "filename* must start with UTF-8''");
        position += Prefix.Length;
        var bytes = new List<byte>();
        while (position < header.Length && header[position] is not (';' or ' ' or '\t'))
        {
            var c = header[position++];
            if (c == '%')
            {
                bytes.Add(Convert.FromHexString(header.AsSpan(position, 2))[0]);
                position += 2;
            }
            else
            {
                // attr-char (RFC 8187 §3.2.1): ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
                Assert.True(char.IsAsciiLetterOrDigit(c) || "!#$&+-.^_`|~".Contains(c, StringComparison.Ordinal), $"'{c}' is not an attr-char");
                bytes.Add((byte)c);
            }
        }

        return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString([.. bytes]);
    }

    private static void SkipOws(string header, ref int position)
    {
        while (position < header.Length && header[position] is ' ' or '\t')
        {
            position++;
        }
    }
}
