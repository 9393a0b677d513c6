using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Gateway.Oss;
using LocalOss.Tests.Infrastructure;

namespace LocalOss.Tests;

/// <summary>Bucket versioning as OSS does it: Put/GetBucketVersioning, versions, delete markers, the "null" version.</summary>
public sealed class VersioningTests : LocalOssTest
{
    private const string Key = "versioned/report.txt";
    private const string VersionIdPattern = "^[A-Za-z0-9_-]{64}$";

    private static readonly KeyValuePair<string, string>[] VersioningQuery = [new("versioning", "")];

    [Fact]
    public async Task Bucket_that_never_had_versioning_reports_no_status()
    {
        using var response = await SendVersioningAsync(HttpMethod.Get);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/xml", response.Content.Headers.ContentType!.MediaType);
        var document = XDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation)).Root!;
        Assert.Equal("VersioningConfiguration", document.Name.LocalName);
        Assert.Null(document.Element("Status"));
    }

    [Theory]
    [InlineData("Enabled")]
    [InlineData("Suspended")]
    public async Task Put_bucket_versioning_sets_the_status_get_reports(string status)
    {
        using (var put = await SendVersioningAsync(HttpMethod.Put, Document(status)))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        Assert.Equal(status, await GetStatusAsync());
    }

    [Theory]
    [InlineData("not xml at all")]
    [InlineData("<VersioningConfiguration><Status>Disabled</Status></VersioningConfiguration>")]
    [InlineData("<VersioningConfiguration><Status>enabled</Status></VersioningConfiguration>")]
    [InlineData("<VersioningConfiguration/>")]
    [InlineData("<VersioningConfiguration><Status>Enabled</Status><Status>Suspended</Status></VersioningConfiguration>")]
    [InlineData("<Versioning><Status>Enabled</Status></Versioning>")]
    [InlineData("<!DOCTYPE x [<!ENTITY e \"Enabled\">]><VersioningConfiguration><Status>&e;</Status></VersioningConfiguration>")]
    public async Task Malformed_versioning_document_is_400_MalformedXML_and_changes_nothing(string body)
    {
        using var response = await SendVersioningAsync(HttpMethod.Put, body);

        await OssErrorXml.ReadAsync(response, HttpStatusCode.BadRequest, "MalformedXML");
        Assert.Null(await GetStatusAsync());
    }

    [Fact]
    public async Task Versioning_of_a_missing_bucket_is_NoSuchBucket()
    {
        using var response = await SendVersioningAsync(HttpMethod.Put, Document("Enabled"), "missing-bucket");

        await OssErrorXml.ReadAsync(response, HttpStatusCode.NotFound, "NoSuchBucket");
        Assert.False(Directory.Exists(Path.Combine(Server.Host.RootPath, "missing-bucket")));
    }

    [Fact]
    public async Task Versioning_on_an_object_path_is_refused_and_leaves_the_object_alone()
    {
        await Server.PutOkAsync(Key, "content"u8.ToArray());
        var request = Server.Request(HttpMethod.Put, Key, query: VersioningQuery);
        request.Content = new StringContent(Document("Enabled"));

        using var response = await Server.SendAsync(request, Key, query: VersioningQuery);

        await OssErrorXml.ReadAsync(response, HttpStatusCode.NotImplemented, "NotImplemented");
        using var get = await Server.GetAsync(Key);
        Assert.Equal("content", await get.Content.ReadAsStringAsync(Cancellation));
        Assert.Null(await GetStatusAsync());
    }

    [Fact]
    public async Task Each_put_in_an_enabled_bucket_creates_a_version_with_its_own_id()
    {
        await EnableAsync();

        var first = await PutVersionAsync(Key, "first");
        var second = await PutVersionAsync(Key, "second, longer");

        Assert.Matches(VersionIdPattern, first.VersionId);
        Assert.Matches(VersionIdPattern, second.VersionId);
        Assert.NotEqual(first.VersionId, second.VersionId);
        await AssertServesAsync(Key, null, "second, longer", second);
        await AssertServesAsync(Key, first.VersionId, "first", first);
        await AssertServesAsync(Key, second.VersionId, "second, longer", second);
    }

    [Fact]
    public async Task Head_with_a_version_id_describes_that_version()
    {
        await EnableAsync();
        var first = await PutVersionAsync(Key, "four");
        await PutVersionAsync(Key, "twelve bytes");

        using var head = await Server.GetAsync(Key, method: HttpMethod.Head, query: [new("versionId", first.VersionId!)]);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(4, head.Content.Headers.ContentLength);
        Assert.Equal(first.ETag, head.Headers.ETag!.Tag);
        Assert.Equal(first.VersionId, VersionIdOf(head));
    }

    [Theory]
    [InlineData("CAEQNhiBgMDJgZCA0BYiIDc4MGZjZGI2OTBjOTRmNTE5NmU5NmFmZjQ1")]
    [InlineData("../../objects/escape")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")]
    [InlineData("")]
    public async Task Unknown_version_id_is_NoSuchVersion_for_get_and_head(string versionId)
    {
        await EnableAsync();
        await PutVersionAsync(Key, "content");
        KeyValuePair<string, string>[] query = [new("versionId", versionId)];

        using (var get = await Server.GetAsync(Key, query: query))
        {
            var error = await OssErrorXml.ReadAsync(get, HttpStatusCode.NotFound, "NoSuchVersion");
            Assert.Equal(versionId, (string?)error.Element("VersionId"));
        }

        using var head = await Server.GetAsync(Key, method: HttpMethod.Head, query: query);
        await OssErrorXml.ReadHeadAsync(head, HttpStatusCode.NotFound, "NoSuchVersion");
    }

    [Fact]
    public async Task Version_id_of_another_key_is_NoSuchVersion()
    {
        await EnableAsync();
        var other = await PutVersionAsync("other.txt", "other");
        await PutVersionAsync(Key, "content");

        using var get = await Server.GetAsync(Key, query: [new("versionId", other.VersionId!)]);

        await OssErrorXml.ReadAsync(get, HttpStatusCode.NotFound, "NoSuchVersion");
    }

    [Fact]
    public async Task Delete_without_a_version_id_adds_a_delete_marker_and_keeps_the_versions()
    {
        await EnableAsync();
        var version = await PutVersionAsync(Key, "kept");

        using var delete = await Server.GetAsync(Key, method: HttpMethod.Delete);

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal("true", Assert.Single(delete.Headers.GetValues("x-oss-delete-marker")));
        var markerId = VersionIdOf(delete);
        Assert.Matches(VersionIdPattern, markerId);
        Assert.NotEqual(version.VersionId, markerId);

        using (var get = await Server.GetAsync(Key))
        {
            await OssErrorXml.ReadAsync(get, HttpStatusCode.NotFound, "NoSuchKey");
            Assert.Equal("true", Assert.Single(get.Headers.GetValues("x-oss-delete-marker")));
            Assert.Equal(markerId, VersionIdOf(get));
        }

        using (var head = await Server.HeadAsync(Key))
        {
            await OssErrorXml.ReadHeadAsync(head, HttpStatusCode.NotFound, "NoSuchKey");
            Assert.Equal(markerId, VersionIdOf(head));
        }

        await AssertServesAsync(Key, version.VersionId, "kept", version);
    }

    [Fact]
    public async Task Reading_a_delete_marker_by_its_id_is_405_MethodNotAllowed()
    {
        await EnableAsync();
        await PutVersionAsync(Key, "content");
        string markerId;
        using (var delete = await Server.GetAsync(Key, method: HttpMethod.Delete))
        {
            markerId = VersionIdOf(delete);
        }

        using var get = await Server.GetAsync(Key, query: [new("versionId", markerId)]);

        var error = await OssErrorXml.ReadAsync(get, HttpStatusCode.MethodNotAllowed, "MethodNotAllowed");
        Assert.Equal("DeleteMarker", (string?)error.Element("ResourceType"));
        Assert.Equal("DELETE", Assert.Single(get.Content.Headers.Allow));
        Assert.Equal("true", Assert.Single(get.Headers.GetValues("x-oss-delete-marker")));
        Assert.Equal(markerId, VersionIdOf(get));
    }

    [Fact]
    public async Task Deleting_the_delete_marker_by_id_brings_the_previous_version_back()
    {
        await EnableAsync();
        var version = await PutVersionAsync(Key, "restored");
        string markerId;
        using (var delete = await Server.GetAsync(Key, method: HttpMethod.Delete))
        {
            markerId = VersionIdOf(delete);
        }

        using var undelete = await Server.GetAsync(Key, method: HttpMethod.Delete, query: [new("versionId", markerId)]);

        Assert.Equal(HttpStatusCode.NoContent, undelete.StatusCode);
        Assert.Equal(markerId, VersionIdOf(undelete));
        Assert.Equal("true", Assert.Single(undelete.Headers.GetValues("x-oss-delete-marker")));
        await AssertServesAsync(Key, null, "restored", version);
    }

    [Fact]
    public async Task Delete_with_a_version_id_removes_that_version_for_good()
    {
        await EnableAsync();
        var first = await PutVersionAsync(Key, "first");
        var second = await PutVersionAsync(Key, "second");

        using var delete = await Server.GetAsync(Key, method: HttpMethod.Delete, query: [new("versionId", second.VersionId!)]);

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(second.VersionId, VersionIdOf(delete));
        Assert.False(delete.Headers.Contains("x-oss-delete-marker"));
        await AssertServesAsync(Key, null, "first", first);
        using var gone = await Server.GetAsync(Key, query: [new("versionId", second.VersionId!)]);
        await OssErrorXml.ReadAsync(gone, HttpStatusCode.NotFound, "NoSuchVersion");
    }

    [Fact]
    public async Task Deleting_the_last_version_leaves_no_object()
    {
        await EnableAsync();
        var only = await PutVersionAsync(Key, "only");

        using (var delete = await Server.GetAsync(Key, method: HttpMethod.Delete, query: [new("versionId", only.VersionId!)]))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using var get = await Server.GetAsync(Key);
        await OssErrorXml.ReadAsync(get, HttpStatusCode.NotFound, "NoSuchKey");
        Assert.False(get.Headers.Contains("x-oss-delete-marker"));
    }

    [Fact]
    public async Task Delete_of_a_version_that_does_not_exist_answers_204()
    {
        await EnableAsync();
        var version = await PutVersionAsync(Key, "untouched");

        using var delete = await Server.GetAsync(Key, method: HttpMethod.Delete, query: [new("versionId", "CAEQNhiBgMDJgZCA0BYiIDc4MGZjZGI2OTBjOTRmNTE5NmU5NmFmZjQ1")]);

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        await AssertServesAsync(Key, null, "untouched", version);
    }

    [Fact]
    public async Task Conditionals_and_range_apply_to_the_addressed_version()
    {
        await EnableAsync();
        var first = await PutVersionAsync(Key, "0123456789");
        var second = await PutVersionAsync(Key, "abcdefghijklmnop");
        KeyValuePair<string, string>[] firstVersion = [new("versionId", first.VersionId!)];

        using (var match = await Server.GetAsync(Key, r => r.Headers.TryAddWithoutValidation("If-Match", first.ETag), query: firstVersion))
        {
            Assert.Equal(HttpStatusCode.OK, match.StatusCode);
            Assert.Equal("0123456789", await match.Content.ReadAsStringAsync(Cancellation));
        }

        using (var mismatch = await Server.GetAsync(Key, r => r.Headers.TryAddWithoutValidation("If-Match", second.ETag), query: firstVersion))
        {
            await OssErrorXml.ReadAsync(mismatch, HttpStatusCode.PreconditionFailed, "PreconditionFailed");
        }

        using (var notModified = await Server.GetAsync(Key, r => r.Headers.TryAddWithoutValidation("If-None-Match", first.ETag), query: firstVersion))
        {
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Equal(first.VersionId, VersionIdOf(notModified));
        }

        using var range = await Server.GetAsync(Key, r => r.Headers.Range = new RangeHeaderValue(2, 5), query: firstVersion);
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal("bytes 2-5/10", range.Content.Headers.ContentRange!.ToString());
        Assert.Equal("2345", await range.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task Object_written_before_versioning_becomes_the_null_version()
    {
        var old = await PutVersionAsync(Key, "from before versioning");
        Assert.Null(old.VersionId);
        await EnableAsync();

        var current = await PutVersionAsync(Key, "versioned");

        await AssertServesAsync(Key, null, "versioned", current);
        await AssertServesAsync(Key, "null", "from before versioning", old with { VersionId = "null" });
    }

    [Fact]
    public async Task Suspended_versioning_replaces_the_null_version_and_keeps_older_versions()
    {
        await EnableAsync();
        var enabledEra = await PutVersionAsync(Key, "enabled era");
        await SetStatusAsync("Suspended");

        var firstNull = await PutVersionAsync(Key, "first null");
        var secondNull = await PutVersionAsync(Key, "second null");

        Assert.Equal("null", firstNull.VersionId);
        Assert.Equal("null", secondNull.VersionId);
        await AssertServesAsync(Key, null, "second null", secondNull);
        await AssertServesAsync(Key, "null", "second null", secondNull);
        await AssertServesAsync(Key, enabledEra.VersionId, "enabled era", enabledEra);
    }

    [Fact]
    public async Task Delete_while_suspended_puts_a_null_delete_marker_over_the_null_version()
    {
        await EnableAsync();
        var enabledEra = await PutVersionAsync(Key, "enabled era");
        await SetStatusAsync("Suspended");
        await PutVersionAsync(Key, "null version");

        using (var delete = await Server.GetAsync(Key, method: HttpMethod.Delete))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
            Assert.Equal("true", Assert.Single(delete.Headers.GetValues("x-oss-delete-marker")));
            Assert.Equal("null", VersionIdOf(delete));
        }

        using (var get = await Server.GetAsync(Key))
        {
            await OssErrorXml.ReadAsync(get, HttpStatusCode.NotFound, "NoSuchKey");
        }

        await AssertServesAsync(Key, enabledEra.VersionId, "enabled era", enabledEra);
    }

    [Fact]
    public async Task Enabling_again_puts_new_versions_above_the_null_version()
    {
        await SetStatusAsync("Suspended");
        var nullVersion = await PutVersionAsync(Key, "null");
        await EnableAsync();

        var newer = await PutVersionAsync(Key, "newer");
        using (var delete = await Server.GetAsync(Key, method: HttpMethod.Delete, query: [new("versionId", newer.VersionId!)]))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        await AssertServesAsync(Key, null, "null", nullVersion);
    }

    [Fact]
    public async Task Forbid_overwrite_does_not_apply_in_a_versioned_bucket()
    {
        await EnableAsync();
        var first = await PutVersionAsync(Key, "first");

        using var put = await Server.PutAsync(Key, "second"u8.ToArray(), configure: r => r.Headers.Add("x-oss-forbid-overwrite", "true"));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.NotEqual(first.VersionId, VersionIdOf(put));
        await AssertServesAsync(Key, first.VersionId, "first", first);
    }

    [Fact]
    public async Task Bucket_that_never_had_versioning_sends_no_version_ids()
    {
        using var put = await Server.PutAsync(Key, "plain"u8.ToArray());
        using var get = await Server.GetAsync(Key);
        using var delete = await Server.GetAsync(Key, method: HttpMethod.Delete);

        Assert.False(put.Headers.Contains("x-oss-version-id"));
        Assert.False(get.Headers.Contains("x-oss-version-id"));
        Assert.False(delete.Headers.Contains("x-oss-version-id"));
        Assert.False(delete.Headers.Contains("x-oss-delete-marker"));
        Assert.False(Directory.Exists(Path.Combine(Server.Host.RootPath, TestServer.Bucket, "versions")));
    }

    [Fact]
    public async Task Presigned_urls_address_a_version()
    {
        await EnableAsync();
        var first = await PutVersionAsync(Key, "first");
        await PutVersionAsync(Key, "second");
        var options = new OssPresignOptions { Key = Key, Query = [new("versionId", first.VersionId!)] };

        using var v4 = await Server.Http.GetAsync(Server.V4().Presign(options).Url, Cancellation);
        using var v1 = await Server.Http.GetAsync(Server.V1().Presign(options).Url, Cancellation);

        Assert.Equal("first", await v4.Content.ReadAsStringAsync(Cancellation));
        Assert.Equal("first", await v1.Content.ReadAsStringAsync(Cancellation));
        Assert.Equal(first.VersionId, VersionIdOf(v4));
    }

    [Fact]
    public async Task Host_helpers_enable_versioning_and_report_version_ids()
    {
        Server.Host.SetBucketVersioning("seeded-versions", LocalOssVersioningStatus.Enabled);

        var first = await SeedAsync("first");
        var second = await SeedAsync("second");

        Assert.Matches(VersionIdPattern, first.VersionId);
        Assert.NotEqual(first.VersionId, second.VersionId);
        using var get = await Server.GetAsync("seed.txt", bucket: "seeded-versions", query: [new("versionId", first.VersionId!)]);
        Assert.Equal("first", await get.Content.ReadAsStringAsync(Cancellation));
        Assert.Equal(first.ETag, get.Headers.ETag!.Tag);

        async Task<LocalOssObjectVersion> SeedAsync(string text)
        {
            await using var content = new MemoryStream(Encoding.UTF8.GetBytes(text));
            return await Server.Host.PutObjectVersionAsync("seeded-versions", "seed.txt", content, "text/plain", Cancellation);
        }
    }

    [Fact]
    public async Task Versioning_state_and_versions_live_on_disk_for_any_server_on_the_root()
    {
        await EnableAsync();
        var first = await PutVersionAsync(Key, "first");
        await PutVersionAsync(Key, "second");

        await using var second = await LocalOssHost.StartAsync(
            new LocalOssOptions
            {
                Root = Server.Host.RootPath,
                AccessKeyId = TestServer.Credentials.AccessKeyId,
                AccessKeySecret = TestServer.Credentials.AccessKeySecret,
                Region = TestServer.Region,
            },
            cancellationToken: Cancellation);
        var endpoint = new OssEndpoint(new Uri(second.BaseAddress.GetLeftPart(UriPartial.Authority)), TestServer.Bucket, TestServer.Region, OssAddressingStyle.Path);
        var url = new OssV4Signer(endpoint, new StaticCredentialsProvider(TestServer.Credentials), TimeProvider.System)
            .Presign(new OssPresignOptions { Key = Key, Query = [new("versionId", first.VersionId!)] }).Url;

        using var get = await Server.Http.GetAsync(url, Cancellation);

        Assert.Equal("first", await get.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task Concurrent_reads_during_writes_always_see_one_whole_version()
    {
        await EnableAsync();
        await PutVersionAsync(Key, Content(0));
        using var writing = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        var written = new List<Version>();

        var writer = Task.Run(
            async () =>
            {
                for (var i = 1; i <= 25; i++)
                {
                    written.Add(await PutVersionAsync(Key, Content(i)));
                }
            },
            Cancellation);
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(
            async () =>
            {
                var reads = 0;
                while (!writer.IsCompleted || reads == 0)
                {
                    using var get = await Server.GetAsync(Key);
                    Assert.Equal(HttpStatusCode.OK, get.StatusCode);
                    var body = await get.Content.ReadAsByteArrayAsync(Cancellation);
                    Assert.Equal($"\"{Convert.ToHexString(MD5.HashData(body))}\"", get.Headers.ETag!.Tag);
                    Assert.Matches(VersionIdPattern, VersionIdOf(get));
                    reads++;
                }
            },
            Cancellation)).ToArray();

        await writer;
        await Task.WhenAll(readers);

        await AssertServesAsync(Key, null, Content(25), written[^1]);
        foreach (var (version, i) in written.Select((v, i) => (v, i + 1)))
        {
            await AssertServesAsync(Key, version.VersionId, Content(i), version);
        }

        static string Content(int i) => $"version {i} " + new string((char)('a' + (i % 26)), 1000 + i);
    }

    private static string Document(string status) =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<VersioningConfiguration><Status>{status}</Status></VersioningConfiguration>";

    private static string VersionIdOf(HttpResponseMessage response) => Assert.Single(response.Headers.GetValues("x-oss-version-id"));

    private Task EnableAsync() => SetStatusAsync("Enabled");

    private async Task SetStatusAsync(string status)
    {
        using var response = await SendVersioningAsync(HttpMethod.Put, Document(status));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<string?> GetStatusAsync()
    {
        using var response = await SendVersioningAsync(HttpMethod.Get);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (string?)XDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation)).Root!.Element("Status");
    }

    private Task<HttpResponseMessage> SendVersioningAsync(HttpMethod method, string? body = null, string bucket = TestServer.Bucket)
    {
        var request = Server.Request(method, "", bucket, VersioningQuery);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/xml");
        }

        return Server.SendAsync(request, "", bucket, VersioningQuery);
    }

    private async Task<Version> PutVersionAsync(string key, string content)
    {
        using var put = await Server.PutAsync(key, Encoding.UTF8.GetBytes(content));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return new Version(put.Headers.ETag!.Tag, put.Headers.TryGetValues("x-oss-version-id", out var ids) ? Assert.Single(ids) : null);
    }

    private async Task AssertServesAsync(string key, string? versionId, string content, Version expected)
    {
        IReadOnlyList<KeyValuePair<string, string>>? query = versionId is null ? null : [new("versionId", versionId)];
        using var get = await Server.GetAsync(key, query: query);
        Assert.True(get.StatusCode == HttpStatusCode.OK, $"GET {versionId ?? "(current)"}: {(int)get.StatusCode} {await get.Content.ReadAsStringAsync(Cancellation)}");
        Assert.Equal(content, await get.Content.ReadAsStringAsync(Cancellation));
        Assert.Equal(expected.ETag, get.Headers.ETag!.Tag);
        Assert.Equal(expected.VersionId, VersionIdOf(get));
    }

    private sealed record Version(string ETag, string? VersionId);
}
