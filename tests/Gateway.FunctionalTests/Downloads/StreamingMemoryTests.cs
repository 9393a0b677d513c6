using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Downloads;

/// <summary>
/// The gateway streams: its memory does not grow with the object, nor with a slow client. These
/// tests share the process with LocalOss and the client, so they run alone (no parallel tests
/// allocating beside them) and allow a generous margin that a buffering gateway (256 MiB) would
/// still blow through.
/// </summary>
[Collection(nameof(MemorySensitiveCollection))]
public sealed class StreamingMemoryTests : IAsyncLifetime
{
    private const long ObjectSize = 256L * 1024 * 1024;
    private const long AllowedGrowth = 64L * 1024 * 1024;
    private const string Key = "big/object.bin";

    private GatewayTestEnvironment _env = null!;
    private byte[] _expectedHash = [];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _env = await GatewayTestEnvironment.StartAsync();

        // Generated while uploading, never held in memory, never committed.
        await using var generated = new PatternStream(ObjectSize);
        await _env.PutObjectAsync(Key, generated);
        _expectedHash = generated.Hash;
    }

    public ValueTask DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task A_256_MiB_download_streams_without_growing_memory()
    {
        var code = await _env.CreateLinkAsync(Key);
        using var sampler = new MemorySampler();

        using var response = await _env.Gateway.Client.GetAsync($"/{code}", HttpCompletionOption.ResponseHeadersRead, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ObjectSize, response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync(Cancel);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long received = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, Cancel)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            received += read;
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"peak memory growth while streaming 256 MiB: {sampler.PeakGrowth / 1024 / 1024} MiB");
        Assert.Equal(ObjectSize, received);
        Assert.Equal(_expectedHash, hash.GetHashAndReset());
        Assert.True(sampler.PeakGrowth < AllowedGrowth, $"memory grew by {sampler.PeakGrowth / (1024 * 1024)} MiB while streaming {ObjectSize / (1024 * 1024)} MiB");
    }

    [Fact]
    public async Task A_slow_client_does_not_make_the_gateway_buffer()
    {
        var code = await _env.CreateLinkAsync(Key);
        using var sampler = new MemorySampler();

        using var response = await _env.Gateway.Client.GetAsync($"/{code}", HttpCompletionOption.ResponseHeadersRead, Cancel);
        await using var body = await response.Content.ReadAsStreamAsync(Cancel);
        var buffer = new byte[16 * 1024];
        long received = 0;
        var watch = Stopwatch.StartNew();

        // About 4 MiB/s for 3 seconds: a buffering proxy would meanwhile pull the whole object from
        // LocalOss (hundreds of MiB/s) into memory.
        while (watch.Elapsed < TimeSpan.FromSeconds(3))
        {
            received += await body.ReadAsync(buffer, Cancel);
            await Task.Delay(4, Cancel);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"slow client received {received / 1024 / 1024} MiB; peak memory growth: {sampler.PeakGrowth / 1024 / 1024} MiB");
        Assert.InRange(received, 1, ObjectSize / 4);
        Assert.True(sampler.PeakGrowth < AllowedGrowth, $"memory grew by {sampler.PeakGrowth / (1024 * 1024)} MiB for a slow client");
    }

    /// <summary>Samples the process's managed heap and working set until disposed.</summary>
    private sealed class MemorySampler : IDisposable
    {
        private readonly long _baselineHeap;
        private readonly long _baselineWorkingSet;
        private readonly Timer _timer;
        private long _peakGrowth;

        public MemorySampler()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            _baselineHeap = GC.GetTotalMemory(forceFullCollection: true);
            _baselineWorkingSet = Environment.WorkingSet;
            _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(50));
        }

        public long PeakGrowth
        {
            get
            {
                Sample();
                return Interlocked.Read(ref _peakGrowth);
            }
        }

        public void Dispose() => _timer.Dispose();

        private void Sample()
        {
            var growth = Math.Max(GC.GetTotalMemory(false) - _baselineHeap, Environment.WorkingSet - _baselineWorkingSet);
            long current;
            while (growth > (current = Interlocked.Read(ref _peakGrowth)) && Interlocked.CompareExchange(ref _peakGrowth, growth, current) != current)
            {
            }
        }
    }
}

[CollectionDefinition(nameof(MemorySensitiveCollection), DisableParallelization = true)]
public sealed class MemorySensitiveCollection;
