using BenchmarkDotNet.Attributes;
using Gateway.Oss;

namespace Gateway.Benchmarks.Signing;

/// <summary>The per-download cost of signing the upstream request (OssV4Signer.SignRequest on a typical GET).
/// The request is re-signed in place, as a retry would be, so only the signer's own work is measured.</summary>
[MemoryDiagnoser]
public class V4SigningBenchmarks
{
    private const string Key = "exampledir/exampleobject.txt";

    private static readonly IReadOnlyCollection<string> RangeAsAdditional = ["range"];

    private OssV4Signer _signer = null!;
    private HttpRequestMessage _get = null!;
    private HttpRequestMessage _rangeGet = null!;
    private OssPresignOptions _presign = null!;

    [GlobalSetup]
    public void Setup()
    {
        var endpoint = new OssEndpoint(new Uri("https://oss-cn-hangzhou.aliyuncs.com"), "examplebucket", "cn-hangzhou", OssAddressingStyle.VirtualHosted);
        var credentials = new StaticCredentialsProvider(new OssCredentials("LTAI5tTESTKEYID00000", "TESTSECRET0123456789abcdefABCDEF"));
        _signer = new OssV4Signer(endpoint, credentials, TimeProvider.System);

        _get = new HttpRequestMessage(HttpMethod.Get, endpoint.BuildObjectUri(Key));
        _rangeGet = new HttpRequestMessage(HttpMethod.Get, endpoint.BuildObjectUri(Key));
        _rangeGet.Headers.Range = new(0, 1023);
        _rangeGet.Headers.TryAddWithoutValidation("x-oss-range-behavior", "standard");
        _presign = new OssPresignOptions { Key = Key, Expires = TimeSpan.FromMinutes(10) };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _get.Dispose();
        _rangeGet.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void SignGet() => _signer.SignRequest(_get, Key);

    [Benchmark]
    public void SignRangeGetWithAdditionalHeader() => _signer.SignRequest(_rangeGet, Key, additionalHeaders: RangeAsAdditional);

    [Benchmark]
    public OssPresignedRequest PresignGet() => _signer.Presign(_presign);
}
