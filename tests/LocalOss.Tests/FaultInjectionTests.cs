using System.Net;
using LocalOss.Tests.Infrastructure;

namespace LocalOss.Tests;

/// <summary>LocalOssHost.Faults: OSS in trouble on cue, for tests of what sits in front of it.</summary>
public sealed class FaultInjectionTests : LocalOssTest
{
    private const string Key = "faults/blob.bin";
    private static readonly byte[] Content = [1, 2, 3, 4, 5];

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Server.PutOkAsync(Key, Content);
    }

    [Fact]
    public async Task Every_nth_read_gets_the_chosen_5xx_as_an_oss_error_and_uploads_are_untouched()
    {
        Server.Host.Faults.FailEvery(2, HttpStatusCode.ServiceUnavailable);

        using var first = await Server.GetAsync(Key);
        using var second = await Server.GetAsync(Key);
        using var upload = await Server.PutAsync("faults/other.bin", Content);
        using var third = await Server.GetAsync(Key);
        using var fourth = await Server.HeadAsync(Key);

        Assert.Equal(Content, await first.Content.ReadAsByteArrayAsync(Cancellation));
        await OssErrorXml.ReadAsync(second, HttpStatusCode.ServiceUnavailable, "ServiceUnavailable");
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal(Content, await third.Content.ReadAsByteArrayAsync(Cancellation));
        await OssErrorXml.ReadHeadAsync(fourth, HttpStatusCode.ServiceUnavailable, "ServiceUnavailable");
        Assert.Equal(2, Server.Host.Faults.Injected);
    }

    [Fact]
    public async Task A_stalled_read_sends_no_header_until_cleared_and_is_then_answered()
    {
        Server.Host.Faults.FailEvery(1, HttpStatusCode.InternalServerError);
        using (var failed = await Server.GetAsync(Key))
        {
            await OssErrorXml.ReadAsync(failed, HttpStatusCode.InternalServerError, "InternalError");
        }

        Server.Host.Faults.Clear();
        Server.Host.Faults.StallBeforeHeaders();
        var pending = Server.GetAsync(Key);
        var first = await Task.WhenAny(pending, Task.Delay(TimeSpan.FromMilliseconds(500), Cancellation));
        Server.Host.Faults.Clear();
        using var answered = await pending;

        Assert.NotSame(pending, first);
        Assert.Equal(Content, await answered.Content.ReadAsByteArrayAsync(Cancellation));
    }

    [Fact]
    public async Task Stalling_replaces_failing_so_a_released_read_is_answered_normally_and_counted_once()
    {
        // Every read would fail; stalling takes over without a Clear in between.
        Server.Host.Faults.FailEvery(1, HttpStatusCode.ServiceUnavailable);
        Server.Host.Faults.StallBeforeHeaders();
        var pending = Server.GetAsync(Key);
        await Task.Delay(TimeSpan.FromMilliseconds(200), Cancellation);
        Server.Host.Faults.Clear();
        using var answered = await pending;

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(Content, await answered.Content.ReadAsByteArrayAsync(Cancellation));
        Assert.Equal(1, Server.Host.Faults.Injected);
    }
}
