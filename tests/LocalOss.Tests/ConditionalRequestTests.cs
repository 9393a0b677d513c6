using System.Net;
using System.Net.Http.Headers;
using LocalOss.Tests.Infrastructure;

namespace LocalOss.Tests;

/// <summary>If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since on GET and HEAD (oss/SIGNING.md §11.6).</summary>
public sealed class ConditionalRequestTests : LocalOssTest
{
    private const string Key = "conditional.txt";
    private const string OtherETag = "\"0123456789ABCDEF0123456789ABCDEF\"";

    private string _etag = "";
    private DateTimeOffset _lastModified;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _etag = await Server.PutOkAsync(Key, "conditional content"u8.ToArray());
        using var head = await Server.HeadAsync(Key);
        _lastModified = head.Content.Headers.LastModified!.Value;
    }

    [Fact]
    public async Task If_match_with_the_current_etag_serves_the_object()
    {
        using var response = await Server.GetAsync(Key, r => r.Headers.TryAddWithoutValidation("If-Match", _etag));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("conditional content", await response.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task If_match_compares_etags_without_quotes_and_case()
    {
        using var response = await Server.GetAsync(Key, r => r.Headers.TryAddWithoutValidation("If-Match", _etag.Trim('"').ToLowerInvariant()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task If_match_with_another_etag_fails_with_412_PreconditionFailed()
    {
        using var response = await Server.GetAsync(Key, r => r.Headers.TryAddWithoutValidation("If-Match", OtherETag));

        await OssErrorXml.ReadAsync(response, HttpStatusCode.PreconditionFailed, "PreconditionFailed");
    }

    [Fact]
    public async Task If_none_match_with_the_current_etag_answers_304_without_body()
    {
        using var response = await Server.GetAsync(Key, r => r.Headers.TryAddWithoutValidation("If-None-Match", _etag));

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Cancellation));
        Assert.Equal(_etag, response.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task If_none_match_with_another_etag_serves_the_object()
    {
        using var response = await Server.GetAsync(Key, r => r.Headers.TryAddWithoutValidation("If-None-Match", OtherETag));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task If_modified_since_the_last_modification_answers_304()
    {
        using var response = await Server.GetAsync(Key, r => r.Headers.IfModifiedSince = _lastModified);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task If_modified_since_an_earlier_date_serves_the_object()
    {
        using var response = await Server.GetAsync(Key, r => r.Headers.IfModifiedSince = _lastModified.AddDays(-1));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task If_modified_since_with_an_invalid_date_is_ignored()
    {
        using var response = await Server.GetAsync(Key, r => r.Headers.TryAddWithoutValidation("If-Modified-Since", "not a date"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task If_unmodified_since_an_earlier_date_fails_with_412()
    {
        using var response = await Server.GetAsync(Key, r => r.Headers.IfUnmodifiedSince = _lastModified.AddDays(-1));

        await OssErrorXml.ReadAsync(response, HttpStatusCode.PreconditionFailed, "PreconditionFailed");
    }

    [Fact]
    public async Task If_unmodified_since_the_last_modification_serves_the_object()
    {
        using var response = await Server.GetAsync(Key, r => r.Headers.IfUnmodifiedSince = _lastModified);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_true_if_match_overrides_a_failing_if_unmodified_since()
    {
        using var response = await Server.GetAsync(Key, r =>
        {
            r.Headers.TryAddWithoutValidation("If-Match", _etag);
            r.Headers.IfUnmodifiedSince = _lastModified.AddDays(-1);
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_false_if_none_match_overrides_a_matching_if_modified_since()
    {
        using var response = await Server.GetAsync(Key, r =>
        {
            r.Headers.TryAddWithoutValidation("If-None-Match", OtherETag);
            r.Headers.IfModifiedSince = _lastModified.AddDays(1);
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_failing_if_match_wins_over_a_matching_if_none_match()
    {
        using var response = await Server.GetAsync(Key, r =>
        {
            r.Headers.TryAddWithoutValidation("If-Match", OtherETag);
            r.Headers.TryAddWithoutValidation("If-None-Match", _etag);
        });

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
    }

    [Fact]
    public async Task Head_answers_304_for_a_matching_if_none_match()
    {
        using var response = await Server.HeadAsync(Key, r => r.Headers.TryAddWithoutValidation("If-None-Match", _etag));

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task Head_answers_412_without_body_but_with_x_oss_err()
    {
        using var response = await Server.HeadAsync(Key, r => r.Headers.TryAddWithoutValidation("If-Match", OtherETag));

        await OssErrorXml.ReadHeadAsync(response, HttpStatusCode.PreconditionFailed, "PreconditionFailed");
    }

    [Fact]
    public async Task Conditional_put_is_refused_with_NotImplemented()
    {
        using var response = await Server.PutAsync(Key, "new"u8.ToArray(), configure: r => r.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(_etag)));

        await OssErrorXml.ReadAsync(response, HttpStatusCode.BadRequest, "NotImplemented");
        using var get = await Server.GetAsync(Key);
        Assert.Equal("conditional content", await get.Content.ReadAsStringAsync(Cancellation));
    }
}
