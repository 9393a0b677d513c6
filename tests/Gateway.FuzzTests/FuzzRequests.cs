using System.Globalization;
using System.Text;
using Gateway.FunctionalTests.Hardening;

namespace Gateway.FuzzTests;

/// <summary>The categories of hostile requests the fuzz run sends, each a generator over one seeded <see cref="Random"/>.</summary>
internal sealed class FuzzRequests(Random random, IReadOnlyList<string> codes, string adminKey)
{
    public const string DownloadPaths = "download paths";
    public const string RangeAndConditionals = "Range and conditional headers";
    public const string ForwardedFor = "X-Forwarded-For";
    public const string AdminJson = "admin JSON";

    public static readonly string[] Categories = [DownloadPaths, RangeAndConditionals, ForwardedFor, AdminJson];

    private static readonly string[] PathPieces =
    [
        "/", "//", ".", "..", "./", "../", "%2e", "%2E%2E", "%2f", "%2F", "%5C", "\\", "%00", "%0A", "%0d%0a", "%20", "+", "%", "%%", "%zz",
        "%C0%AF", "%C0%AE%C0%AE", "%E0%80%AF", "%ED%A0%80", "%F4%90%80%80", "%FF", "%FE%FF", "%EF%BB%BF", "é", "报告", "😀", "~", ";", ";x=1",
        "?", "?a=1", "?a=%", "#", "#frag", "&", "=", "@", ":", "::", "'", "\"", "<", ">", "{", "}", "|", "^", "`", "[", "]",
        "api", "healthz", "metrics", "openapi", "robots.txt", "favicon.ico", "etc", "passwd", "win.ini", "..%2f..%2f", "%252e%252e",
    ];

    private static readonly string[] Methods = ["GET", "GET", "GET", "GET", "HEAD", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT", "BREW", "get"];

    private static readonly string[] Dates =
    [
        "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Fri, 31 Dec 9999 23:59:59 GMT",
        "Mon, 01 Jan 0001 00:00:00 GMT", "yesterday", "0", "-1", "2024-02-30T25:61:61Z", "Thu, 01 Jan 1970 00:00:00 GMT", "",
        "Wed, 21 Oct 2015 07:28:00 PST", new string('9', 300),
    ];

    private static readonly string[] ETags =
    [
        "*", "\"abc\"", "W/\"abc\"", "\"\"", "abc", "\"unterminated", "\"a\", \"b\", W/\"c\"", ",,,", "\"" + new string('A', 2000) + "\"",
        "\"0123456789ABCDEF0123456789ABCDEF\"", "W/", "\"é\"", "*, \"a\"",
    ];

    private static readonly string[] Addresses =
    [
        "1.2.3.4", "10.1.2.3", "127.0.0.1", "0.0.0.0", "255.255.255.255", "999.1.1.1", "1.2.3", "1.2.3.4.5", "01.02.03.04", "0x7f.1", "::1", "::",
        "[::1]", "[::1]:8080", "1.2.3.4:80", "1.2.3.4:99999", "fe80::1%eth0", "::ffff:10.0.0.1", "2001:db8::1", "2001:db8::/32", "10.0.0.0/8",
        "unknown", "_hidden", "", " ", "-", "\u0661.\u0662.\u0663.\u0664", "localhost", "1.2.3.4\t", "\"1.2.3.4\"",
    ];

    public (string Category, byte[] Request) Next(string category) => category switch
    {
        DownloadPaths => (category, DownloadPath()),
        RangeAndConditionals => (category, RangeAndConditional()),
        ForwardedFor => (category, Forwarded()),
        _ => (category, Admin()),
    };

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private string Code() => random.Next(10) switch
    {
        0 => new string('a', random.Next(65, 5000)),
        1 => "ab",
        2 => Pick(codes).ToUpperInvariant(),
        3 => string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => Pick(PathPieces))),
        4 => Pick(codes) + Pick(PathPieces),
        _ => Pick(codes),
    };

    private byte[] DownloadPath()
    {
        var target = random.Next(12) switch
        {
            0 => "*",
            1 => $"http://127.0.0.1/{Code()}",
            2 => $"/{Pick(PathPieces)}/{Code()}",
            3 => $"/{Code()}/{string.Concat(Enumerable.Range(0, random.Next(1, 40)).Select(_ => Pick(PathPieces)))}",
            4 => $"/{Code()}/{new string('x', random.Next(1, 7000))}",
            5 => $"/{Code()}?{string.Concat(Enumerable.Range(0, random.Next(1, 20)).Select(_ => Pick(PathPieces)))}",
            6 => "/" + string.Concat(Enumerable.Range(0, random.Next(1, 30)).Select(_ => Pick(PathPieces))),
            _ => $"/{Code()}",
        };

        var headers = new List<(string, string)>();
        if (random.Next(3) == 0)
        {
            headers.Add(("User-Agent", Pick(["", "Slackbot-LinkExpanding 1.0", "Twitterbot/1.0", new string('U', 4000), "Mozilla/5.0 é", "curl/8"])));
        }

        if (random.Next(4) == 0)
        {
            headers.Add(("Accept", Pick(["*/*", "text/html", "application/json;q=", ";;;", "text/csv"])));
        }

        return RawHttpClient.Build(Pick(Methods), target, headers);
    }

    private byte[] RangeAndConditional()
    {
        var headers = new List<(string, string)>();
        for (var i = random.Next(1, 5); i > 0; i--)
        {
            headers.Add(random.Next(6) switch
            {
                0 => ("Range", RangeValue()),
                1 => ("If-Range", random.Next(2) == 0 ? Pick(Dates) : Pick(ETags)),
                2 => ("If-Match", Pick(ETags)),
                3 => ("If-None-Match", Pick(ETags)),
                4 => ("If-Modified-Since", Pick(Dates)),
                _ => ("If-Unmodified-Since", Pick(Dates)),
            });
        }

        return RawHttpClient.Build(random.Next(4) == 0 ? "HEAD" : "GET", $"/{Pick(codes)}", headers);
    }

    private string RangeValue()
    {
        string Position() => random.Next(5) switch
        {
            0 => "",
            1 => new string('9', random.Next(19, 40)),
            2 => "-1",
            _ => random.Next(0, 20_000).ToString(CultureInfo.InvariantCulture),
        };

        var specs = Enumerable.Range(0, random.Next(1, random.Next(2) == 0 ? 3 : 200)).Select(_ => random.Next(8) switch
        {
            0 => "",
            1 => "-" + Position(),
            2 => Pick(["a-b", "1-2-3", "+1-2", " 1 - 2 ", "\u0661-\u0662", "0x10-20"]),
            _ => $"{Position()}-{Position()}",
        });
        return Pick(["bytes=", "BYTES=", "bytes =", "items=", "bytes", ""]) + string.Join(Pick([",", ", ", " , ", ",,"]), specs);
    }

    private byte[] Forwarded()
    {
        var headers = new List<(string, string)>();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            var list = string.Join(Pick([",", ", ", " ,", ";"]), Enumerable.Range(0, random.Next(1, random.Next(2) == 0 ? 4 : 300)).Select(_ => Pick(Addresses)));
            headers.Add(random.Next(5) switch
            {
                0 => ("X-Forwarded-Proto", Pick(["http", "https", "gopher", "", "https, http"])),
                1 => ("Forwarded", $"for={Pick(Addresses)};proto=https"),
                2 => ("X-Forwarded-Host", Pick(["evil.example", "", "a:b:c", "[::1]"])),
                _ => ("X-Forwarded-For", list),
            });
        }

        return RawHttpClient.Build(random.Next(4) == 0 ? "HEAD" : "GET", $"/{Pick(codes)}", headers);
    }

    private byte[] Admin()
    {
        var (method, target) = random.Next(6) switch
        {
            0 => ("PATCH", $"/api/v1/links/{Pick(codes)}"),
            1 => ("POST", "/api/v1/presign"),
            _ => ("POST", "/api/v1/links"),
        };

        var headers = new List<(string, string)>
        {
            ("Authorization", random.Next(15) == 0 ? Pick(["Bearer wrong", "Bearer ", "Basic YTpi", new string('B', 3000)]) : $"Bearer {adminKey}"),
            ("Content-Type", random.Next(8) == 0 ? Pick(["text/plain", "application/json; charset=latin1", "application/merge-patch+json", "", "multipart/form-data"]) : method == "PATCH" && random.Next(2) == 0 ? "application/merge-patch+json" : "application/json"),
        };
        return RawHttpClient.Build(method, target, headers, JsonBody());
    }

    private byte[] JsonBody()
    {
        switch (random.Next(14))
        {
            case 0:
                // Deeply nested, far past System.Text.Json's default depth of 64.
                var depth = random.Next(65, 20_000);
                var open = random.Next(2) == 0 ? "[" : "{\"a\":";
                var close = open == "[" ? "]" : "}";
                return Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth)));
            case 1:
                // Huge: a long string (up to twice the 1 MiB body limit) or many members.
                return random.Next(2) == 0
                    ? Encoding.UTF8.GetBytes($"{{\"bucket\":\"media\",\"key\":\"{new string('k', random.Next(1000, 2 * 1024 * 1024))}\"}}")
                    : Encoding.UTF8.GetBytes("{" + string.Join(",", Enumerable.Range(0, random.Next(100, 30_000)).Select(i => $"\"f{i}\":{i}")) + "}");
            case 2:
                // Invalid UTF-8 inside a string, and a lone surrogate escape.
                return [.. "{\"bucket\":\"media\",\"key\":\""u8, .. Pick<byte[]>([[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF8, 0x88, 0x80, 0x80, 0x80]]), .. "\"}"u8];
            case 3:
                return Encoding.UTF8.GetBytes(Pick(["{\"bucket\":\"media\",\"key\":\"\\ud800\"}", "{\"bucket\":\"media\",\"key\":\"a\",\"filename\":\"\\udc00x\"}", "{\"key\":\"\\u0000\"}"]));
            case 4:
                return Encoding.UTF8.GetBytes(Pick(["", "null", "[]", "\"str\"", "1", "{", "{\"a\":", "{\"bucket\":\"media\",\"key\":\"a\"", "\uFEFF{\"bucket\":\"media\",\"key\":\"bom\"}", "{}}", "NaN", "{'a':1}"]));
            default:
                return Encoding.UTF8.GetBytes(LinkObject());
        }
    }

    /// <summary>An object with the link fields, each valid, of a wrong type, out of range, duplicated or unknown.</summary>
    private string LinkObject()
    {
        var fields = new List<string>();
        foreach (var name in new[] { "bucket", "key", "versionId", "code", "expiresAt", "notBefore", "maxDownloads", "filename", "disposition", "contentType", "allowedCidrs", "trafficLimit", "mode", "tags", "note", "pinEtag", "bindClientIp", "method", "expires", "headers" })
        {
            if (random.Next(3) == 0)
            {
                continue;
            }

            fields.Add($"\"{name}\":{Value(name)}");
            if (random.Next(12) == 0)
            {
                fields.Add($"\"{name}\":{Value(name)}");
            }
        }

        if (random.Next(4) == 0)
        {
            fields.Add($"\"{Pick(["unknown", "Bucket", "KEY", "__proto__", "$type", ""])}\":{Value("x")}");
        }

        return "{" + string.Join(",", fields.OrderBy(_ => random.Next())) + "}";
    }

    private string Value(string name) => random.Next(5) switch
    {
        0 => Pick(["null", "true", "0", "-1", "1e309", "-0", "9999999999999999999999", "1.5", "[]", "{}", "\"\"", "[1,\"a\",null]", "{\"a\":{}}", "\"\\u0000\""]),
        _ => name switch
        {
            "bucket" => Pick(["\"media\"", "\"media\"", "\"other\"", "\"MEDIA\""]),
            "key" => $"\"{Pick(["fuzz/object.bin", "a/../b", "/abs", "\\\\win", "x", "報告.pdf", "%2e%2e", new string('k', 1100), "tab\\tkey"])}\"",
            "code" => $"\"{Pick(["vanity-" + random.Next(1_000_000).ToString(CultureInfo.InvariantCulture), "api", "ab", "abc\\n", "héllo", new string('c', 65)])}\"",
            "expiresAt" or "notBefore" => $"\"{Pick(["2099-01-01T00:00:00Z", "2000-01-01T00:00:00Z", "tomorrow", "9999-12-31T23:59:59.9999999+14:00", "0001-01-01T00:00:00Z"])}\"",
            "maxDownloads" or "trafficLimit" or "expires" => Pick(["1", "1000000", "0", "-5", "819200", "838860801", "604801", "1000000001"]),
            "filename" => $"\"{Pick(["a.pdf", "\\\"q\\\".pdf", "a\\r\\nb", "../x", new string('f', 300), "😀.txt"])}\"",
            "disposition" => $"\"{Pick(["inline", "attachment", "form-data", ""])}\"",
            "mode" => $"\"{Pick(["proxy", "redirect", "stream", "PROXY"])}\"",
            "method" => $"\"{Pick(["GET", "PUT", "HEAD", "DELETE", "get", ""])}\"",
            "allowedCidrs" => Pick(["[\"10.0.0.0/8\"]", "[\"::/0\"]", "[\"1.2.3.4/33\"]", "[\"garbage\"]", "[]", "[\"" + string.Join("\",\"", Enumerable.Repeat("10.0.0.0/8", 100)) + "\"]"]),
            "tags" => Pick(["[\"a\"]", "[\"a b\"]", "[\"x\\n\"]", "[" + string.Join(",", Enumerable.Repeat("\"t\"", 50)) + "]"]),
            "headers" => Pick(["{\"x-oss-meta-a\":\"1\"}", "{\"Content-Type\":\"text/plain\"}", "{\"\":\"\"}", "[]"]),
            _ => Pick(["\"text\"", "\"" + new string('n', 2000) + "\"", "true"]),
        },
    };
}
