using System.Net;
using System.Security.Cryptography;
using System.Text;
using LocalOss.Tests.Infrastructure;

namespace LocalOss.Tests;

public sealed class ObjectRoundTripTests : LocalOssTest
{
    public static TheoryData<string> AwkwardKeys =>
    [
        "with space/file name.txt",
        "plus+sign/a+b.bin",
        "percent/100% done %20 %2F not escapes.txt",
        "tilde/~user~file",
        "marks/(copy) 1!.txt",
        "quotes/it's;x=1&y=2#frag?.txt",
        "报告 2024/ä+b~c%20d(1)!.txt",
        "a/../b",
        "x/./y",
        "..",
        "trailing/slash/",
        "double//slash",
        "back\\slash\\..\\up",
    ];

    [Theory]
    [MemberData(nameof(AwkwardKeys))]
    public async Task Awkward_keys_round_trip_byte_for_byte(string key)
    {
        var content = Encoding.UTF8.GetBytes("content of " + key + "\n\u00e9\u4e2d\U0001F600");

        var etag = await Server.PutOkAsync(key, content);

        using (var get = await Server.GetAsync(key))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(content, await get.Content.ReadAsByteArrayAsync(Cancellation));
            Assert.Equal(etag, get.Headers.ETag!.Tag);
        }

        using (var head = await Server.HeadAsync(key))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(content.Length, head.Content.Headers.ContentLength);
            Assert.Equal(etag, head.Headers.ETag!.Tag);
        }

        using (var delete = await Server.GetAsync(key, method: HttpMethod.Delete))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using var gone = await Server.GetAsync(key);
        var error = await OssErrorXml.ReadAsync(gone, HttpStatusCode.NotFound, "NoSuchKey");
        Assert.Equal(key, (string?)error.Element("Key"));
    }

    [Fact]
    public async Task Keys_differing_only_by_dot_segments_are_different_objects()
    {
        await Server.PutOkAsync("b", "plain b"u8.ToArray());
        await Server.PutOkAsync("a/../b", "dotted"u8.ToArray());

        using var plain = await Server.GetAsync("b");
        Assert.Equal("plain b", await plain.Content.ReadAsStringAsync(Cancellation));
        using var dotted = await Server.GetAsync("a/../b");
        Assert.Equal("dotted", await dotted.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task A_key_and_a_key_under_it_coexist()
    {
        await Server.PutOkAsync("a", "file"u8.ToArray());
        await Server.PutOkAsync("a/b", "nested"u8.ToArray());

        using var a = await Server.GetAsync("a");
        Assert.Equal("file", await a.Content.ReadAsStringAsync(Cancellation));
        using var ab = await Server.GetAsync("a/b");
        Assert.Equal("nested", await ab.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task Put_answers_the_quoted_upper_case_hex_md5_as_etag()
    {
        var content = "hello etag"u8.ToArray();

        using var put = await Server.PutAsync("etag.txt", content);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal($"\"{Convert.ToHexString(MD5.HashData(content))}\"", put.Headers.ETag!.Tag);
        Assert.Equal(MD5.HashData(content), put.Content.Headers.ContentMD5);
    }

    [Fact]
    public async Task Content_type_given_at_put_is_returned_on_get_and_head()
    {
        await Server.PutOkAsync("doc.bin", "{}"u8.ToArray(), "application/vnd.test+json; charset=utf-8");

        using var get = await Server.GetAsync("doc.bin");
        Assert.Equal("application/vnd.test+json; charset=utf-8", get.Content.Headers.ContentType!.ToString());
        using var head = await Server.HeadAsync("doc.bin");
        Assert.Equal("application/vnd.test+json; charset=utf-8", head.Content.Headers.ContentType!.ToString());
    }

    [Theory]
    [InlineData("report.pdf", "application/pdf")]
    [InlineData("notes.txt", "text/plain")]
    [InlineData("no-extension", "application/octet-stream")]
    public async Task Content_type_is_guessed_from_the_extension_when_put_sends_none(string key, string expected)
    {
        await Server.PutOkAsync(key, "x"u8.ToArray());

        using var head = await Server.HeadAsync(key);

        Assert.Equal(expected, head.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Get_carries_the_headers_oss_sends()
    {
        var etag = await Server.PutOkAsync("headers.txt", "abc"u8.ToArray());

        using var get = await Server.GetAsync("headers.txt");

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(etag, get.Headers.ETag!.Tag);
        Assert.Equal("AliyunOSS", Assert.Single(get.Headers.GetValues("Server")));
        Assert.Matches("^[0-9A-F]{24}$", Assert.Single(get.Headers.GetValues("x-oss-request-id")));
        Assert.Equal("bytes", Assert.Single(get.Headers.AcceptRanges));
        Assert.NotNull(get.Headers.Date);
        var lastModified = get.Content.Headers.LastModified!.Value;
        Assert.InRange(lastModified, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(3, get.Content.Headers.ContentLength);
        Assert.Equal("Normal", Assert.Single(get.Headers.GetValues("x-oss-object-type")));
    }

    [Fact]
    public async Task Every_response_has_its_own_request_id()
    {
        await Server.PutOkAsync("id.txt", "x"u8.ToArray());

        using var first = await Server.GetAsync("id.txt");
        using var second = await Server.GetAsync("id.txt");

        Assert.NotEqual(Assert.Single(first.Headers.GetValues("x-oss-request-id")), Assert.Single(second.Headers.GetValues("x-oss-request-id")));
    }

    [Fact]
    public async Task User_metadata_and_disposition_given_at_put_are_returned()
    {
        using var put = await Server.PutAsync("meta.txt", "m"u8.ToArray(), configure: request =>
        {
            request.Headers.Add("x-oss-meta-Author", "alice");
            request.Content!.Headers.ContentDisposition = System.Net.Http.Headers.ContentDispositionHeaderValue.Parse("attachment; filename=\"a.txt\"");
            request.Headers.CacheControl = System.Net.Http.Headers.CacheControlHeaderValue.Parse("max-age=60");
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        using var head = await Server.HeadAsync("meta.txt");

        Assert.Equal("alice", Assert.Single(head.Headers.GetValues("x-oss-meta-author")));
        Assert.Equal("attachment; filename=\"a.txt\"", head.Content.Headers.ContentDisposition!.ToString());
        Assert.Equal("max-age=60", head.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task Response_overrides_in_the_query_set_response_headers()
    {
        await Server.PutOkAsync("override.bin", "o"u8.ToArray(), "application/octet-stream");
        KeyValuePair<string, string>[] query =
        [
            new("response-content-type", "text/plain"),
            new("response-content-disposition", "attachment; filename=\"report 2024.txt\""),
        ];

        using var get = await Server.GetAsync("override.bin", query: query);

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("text/plain", get.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment; filename=\"report 2024.txt\"", get.Content.Headers.ContentDisposition!.ToString());
    }

    [Fact]
    public async Task Put_replaces_an_existing_object()
    {
        await Server.PutOkAsync("replace.txt", "first"u8.ToArray());
        var etag = await Server.PutOkAsync("replace.txt", "second version"u8.ToArray());

        using var get = await Server.GetAsync("replace.txt");

        Assert.Equal("second version", await get.Content.ReadAsStringAsync(Cancellation));
        Assert.Equal(etag, get.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task Forbid_overwrite_refuses_to_replace_an_existing_object_with_409()
    {
        await Server.PutOkAsync("keep.txt", "original"u8.ToArray());

        using var put = await Server.PutAsync("keep.txt", "replacement"u8.ToArray(), configure: r => r.Headers.Add("x-oss-forbid-overwrite", "true"));

        await OssErrorXml.ReadAsync(put, HttpStatusCode.Conflict, "FileAlreadyExists");
        using var get = await Server.GetAsync("keep.txt");
        Assert.Equal("original", await get.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task Content_md5_that_does_not_match_the_body_is_refused_and_nothing_is_stored()
    {
        using var put = await Server.PutAsync("digest.txt", "body"u8.ToArray(), configure: r =>
            r.Content!.Headers.ContentMD5 = MD5.HashData("other body"u8));

        await OssErrorXml.ReadAsync(put, HttpStatusCode.BadRequest, "InvalidDigest");
        using var get = await Server.GetAsync("digest.txt");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Content_md5_that_matches_the_body_is_accepted()
    {
        using var put = await Server.PutAsync("digest-ok.txt", "body"u8.ToArray(), configure: r =>
            r.Content!.Headers.ContentMD5 = MD5.HashData("body"u8));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }

    [Fact]
    public async Task Empty_object_round_trips()
    {
        var etag = await Server.PutOkAsync("empty", []);

        using var get = await Server.GetAsync("empty");

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Empty(await get.Content.ReadAsByteArrayAsync(Cancellation));
        Assert.Equal("\"D41D8CD98F00B204E9800998ECF8427E\"", etag);
    }

    [Fact]
    public async Task Delete_of_a_missing_object_answers_204()
    {
        using var delete = await Server.GetAsync("never/existed", method: HttpMethod.Delete);

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
    }

    [Fact]
    public async Task Put_bucket_creates_a_bucket_and_is_idempotent()
    {
        foreach (var attempt in new[] { 1, 2 })
        {
            using var create = await Server.GetAsync("", method: HttpMethod.Put, bucket: "fresh-bucket");
            Assert.True(HttpStatusCode.OK == create.StatusCode, $"attempt {attempt}: {create.StatusCode}");
        }

        using var put = await Server.PutAsync("in-fresh", "x"u8.ToArray(), bucket: "fresh-bucket");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.True(Directory.Exists(Path.Combine(Server.Host.RootPath, "fresh-bucket")));
    }

    [Fact]
    public async Task Large_object_streams_in_and_out_unchanged()
    {
        const long size = 48L * 1024 * 1024 + 12345;
        var request = Server.Request(HttpMethod.Put, "large/blob.bin");
        request.Content = new StreamContent(new PatternStream(size));
        request.Content.Headers.ContentLength = size;

        using (var put = await Server.SendAsync(request, "large/blob.bin"))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.Equal($"\"{PatternStream.Md5Hex(size)}\"", put.Headers.ETag!.Tag);
        }

        var get = Server.Request(HttpMethod.Get, "large/blob.bin");
        Server.V4().SignRequest(get, "large/blob.bin");
        using var response = await Server.Http.SendAsync(get, HttpCompletionOption.ResponseHeadersRead, Cancellation);
        Assert.Equal(size, response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync(Cancellation);
        Assert.Equal(PatternStream.Md5Hex(size), Convert.ToHexString(await MD5.HashDataAsync(body, Cancellation)));
    }

    [Fact]
    public async Task Objects_seeded_through_the_host_are_served()
    {
        await using var content = new MemoryStream("seeded"u8.ToArray());
        var etag = await Server.Host.PutObjectAsync("seed-bucket", "demo/sample.txt", content, "text/plain", Cancellation);

        using var get = await Server.GetAsync("demo/sample.txt", bucket: "seed-bucket");

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("seeded", await get.Content.ReadAsStringAsync(Cancellation));
        Assert.Equal(etag, get.Headers.ETag!.Tag);
        Assert.Equal("text/plain", get.Content.Headers.ContentType!.MediaType);
    }
}
