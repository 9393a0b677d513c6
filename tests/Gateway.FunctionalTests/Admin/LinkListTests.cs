using System.Net;
using System.Text.Json;
using Gateway.FunctionalTests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.FunctionalTests.Admin;

public sealed class LinkListTests : IAsyncLifetime
{
    private GatewayTestEnvironment _env = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _env = await GatewayTestEnvironment.StartAsync(settings => settings["Gateway:Admin:MaxScanPerRequest"] = "100");

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task Pages_come_newest_first_and_the_cursor_walks_every_link_once()
    {
        var created = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            created.Add(await _env.CreateLinkAsync($"list/{i}.txt"));
        }

        var first = await AdminJson.GetOkAsync(_env.Admin, "/api/v1/links?limit=3");
        var items = await AdminJson.ReadAllPagesAsync(_env.Admin, "/api/v1/links", limit: 3);

        Assert.Equal(3, first.GetProperty("items").GetArrayLength());
        Assert.NotNull(first.GetProperty("nextCursor").GetString());
        Assert.Equal(created.Order(StringComparer.Ordinal), items.Select(Code).Order(StringComparer.Ordinal));

        // Newest first; links made within one millisecond come by code, descending (Redis orders equal scores by member).
        var newestFirst = items
            .OrderByDescending(i => i.GetProperty("createdAt").GetDateTimeOffset())
            .ThenByDescending(Code, StringComparer.Ordinal);
        Assert.Equal(newestFirst.Select(Code), items.Select(Code));
        Assert.True(items[0].TryGetProperty("downloads", out _), "items carry their counters");
    }

    [Fact]
    public async Task Links_created_and_deleted_while_paging_neither_repeat_nor_skip_the_rest()
    {
        for (var i = 0; i < 10; i++)
        {
            await _env.CreateLinkAsync($"paging/{i}.txt");
        }

        var order = (await AdminJson.ReadAllPagesAsync(_env.Admin, "/api/v1/links", 50)).Select(Code).ToList();
        var page = await AdminJson.GetOkAsync(_env.Admin, "/api/v1/links?limit=4");
        var seen = page.GetProperty("items").EnumerateArray().Select(Code).ToList();
        var cursor = page.GetProperty("nextCursor").GetString()!;

        // Meanwhile: three new links, one deletion among the links already seen and one among those not yet seen.
        for (var i = 0; i < 3; i++)
        {
            await _env.CreateLinkAsync($"paging/new-{i}.txt");
        }

        var unseenDeleted = order[^2];
        (await _env.Admin.DeleteAsync($"/api/v1/links/{seen[1]}", Cancel)).EnsureSuccessStatusCode();
        (await _env.Admin.DeleteAsync($"/api/v1/links/{unseenDeleted}", Cancel)).EnsureSuccessStatusCode();

        var rest = new List<string>();
        while (cursor is not null)
        {
            var next = await AdminJson.GetOkAsync(_env.Admin, $"/api/v1/links?limit=4&cursor={Uri.EscapeDataString(cursor)}");
            rest.AddRange(next.GetProperty("items").EnumerateArray().Select(Code));
            cursor = next.GetProperty("nextCursor").GetString();
        }

        Assert.Equal(order.Take(4), seen);
        Assert.Equal(order.Skip(4).Where(code => code != unseenDeleted), rest);
    }

    [Fact]
    public async Task Filters_select_by_bucket_tag_and_effective_state()
    {
        var tagged = await _env.CreateLinkAsync("f/tagged.txt", new { tags = new[] { "campaign", "q3" } });
        var revoked = await _env.CreateLinkAsync("f/revoked.txt", new { tags = new[] { "q3" } });
        var scheduled = await _env.CreateLinkAsync("f/scheduled.txt", new { notBefore = DateTimeOffset.UtcNow.AddDays(1) });
        var plain = await _env.CreateLinkAsync("f/plain.txt");
        (await _env.Admin.PostAsync($"/api/v1/links/{revoked}/revoke", null, Cancel)).EnsureSuccessStatusCode();

        Assert.Equal(Sorted(revoked, tagged), Sorted(await AdminJson.ReadAllPagesAsync(_env.Admin, "/api/v1/links?tag=q3", 50)));
        Assert.Equal([tagged], (await AdminJson.ReadAllPagesAsync(_env.Admin, "/api/v1/links?tag=campaign", 50)).Select(Code));
        Assert.Equal([revoked], (await AdminJson.ReadAllPagesAsync(_env.Admin, "/api/v1/links?state=revoked", 50)).Select(Code));
        Assert.Equal([scheduled], (await AdminJson.ReadAllPagesAsync(_env.Admin, "/api/v1/links?state=scheduled", 50)).Select(Code));
        Assert.Equal(Sorted(plain, tagged), Sorted(await AdminJson.ReadAllPagesAsync(_env.Admin, "/api/v1/links?state=active", 50)));
        Assert.Equal([revoked], (await AdminJson.ReadAllPagesAsync(_env.Admin, "/api/v1/links?state=revoked&tag=q3&bucket=media", 50)).Select(Code));
        Assert.Empty(await AdminJson.ReadAllPagesAsync(_env.Admin, "/api/v1/links?bucket=elsewhere", 50));
    }

    [Fact]
    public async Task Search_finds_text_in_the_code_the_key_or_a_tag_ignoring_case()
    {
        var byKey = await _env.CreateLinkAsync("reports/Quarterly-Q3.pdf");
        var byTag = await _env.CreateLinkAsync("misc/a.bin", new { tags = new[] { "board-quarterly" } });
        var byCode = await _env.CreateLinkAsync("misc/b.bin", new { code = "quarterly-summary" });
        await _env.CreateLinkAsync("misc/c.bin", new { tags = new[] { "other" } });

        Assert.Equal(Sorted(byCode, byKey, byTag), Sorted(await AdminJson.ReadAllPagesAsync(_env.Admin, "/api/v1/links?q=QUARTERLY", 50)));
        Assert.Equal([byKey], (await AdminJson.ReadAllPagesAsync(_env.Admin, "/api/v1/links?q=reports%2F", 50)).Select(Code));
        Assert.Equal([byCode], (await AdminJson.ReadAllPagesAsync(_env.Admin, "/api/v1/links?q=Y-SUM&bucket=media&state=active", 50)).Select(Code));
        Assert.Empty(await AdminJson.ReadAllPagesAsync(_env.Admin, "/api/v1/links?q=nothing-has-this", 50));
    }

    [Fact]
    public async Task Search_text_longer_than_256_characters_is_refused_and_empty_text_is_no_filter()
    {
        using var empty = await _env.Admin.GetAsync("/api/v1/links?q=", Cancel);
        using var tooLong = await _env.Admin.GetAsync($"/api/v1/links?q={new string('x', 257)}", Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.True((await AdminJson.ReadAsync(tooLong)).GetProperty("errors").TryGetProperty("q", out _));
        // An empty search box (a form sends q=) is no filter at all.
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
    }

    [Fact]
    public async Task A_selective_filter_reads_a_bounded_number_of_links_and_returns_a_cursor_to_go_on()
    {
        var rare = await _env.CreateLinkAsync("bounded/rare.txt", new { tags = new[] { "rare" } });
        for (var i = 0; i < 150; i++)
        {
            await _env.CreateLinkAsync($"bounded/{i}.txt");
        }

        // MaxScanPerRequest is 100 here: the first request reads 100 links, finds no match and says where to go on.
        var first = await AdminJson.GetOkAsync(_env.Admin, "/api/v1/links?tag=rare");
        var all = await AdminJson.ReadAllPagesAsync(_env.Admin, "/api/v1/links?tag=rare", 50);

        Assert.Equal(0, first.GetProperty("items").GetArrayLength());
        Assert.NotNull(first.GetProperty("nextCursor").GetString());
        Assert.Equal([rare], all.Select(Code));
    }

    [Fact]
    public async Task Index_entries_of_links_the_store_dropped_are_skipped_and_cleaned_up()
    {
        var kept = await _env.CreateLinkAsync("stale/kept.txt");
        var dropped = await _env.CreateLinkAsync("stale/dropped.txt");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_env.Store.ConnectionString);
        var db = redis.GetDatabase();

        // What the expiry mirror does when a link's retention ends: the hash goes, the index entry stays.
        await db.KeyDeleteAsync($"gw:{{{dropped}}}:link");

        var items = await AdminJson.ReadAllPagesAsync(_env.Admin, "/api/v1/links", 50);

        Assert.Equal([kept], items.Select(Code));
        Assert.Null(await db.SortedSetScoreAsync("gw:links", dropped));
        Assert.NotNull(await db.SortedSetScoreAsync("gw:links", kept));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("state=dormant", "state")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("cursor=YTo0Mg", "cursor")]
    public async Task Invalid_list_parameters_get_400_problem_naming_them(string query, string field)
    {
        using var response = await _env.Admin.GetAsync($"/api/v1/links?{query}", Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await AdminJson.ReadAsync(response)).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Listing_needs_the_read_scope_and_an_empty_store_lists_nothing()
    {
        using var anonymous = _env.Gateway.CreateClient();
        using var reader = _env.Gateway.CreateClient(GatewayTestEnvironment.ReaderKey);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/links", Cancel)).StatusCode);
        var empty = await AdminJson.GetOkAsync(reader, "/api/v1/links");
        Assert.Equal(0, empty.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("nextCursor").ValueKind);
    }

    private static string Code(JsonElement link) => link.GetProperty("code").GetString()!;

    private static List<string> Sorted(params string[] codes) => [.. codes.Order(StringComparer.Ordinal)];

    private static List<string> Sorted(List<JsonElement> links) => [.. links.Select(Code).Order(StringComparer.Ordinal)];
}
