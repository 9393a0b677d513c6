namespace LocalOss.Tests.Interop;

/// <summary>
/// LocalOss against the official Node SDK, ali-oss 6.23.0 (Interop/interop.mjs): V4 and V1, header and URL
/// signatures, awkward keys, the refusals OSS gives, bucket versioning, x-oss-traffic-limit and
/// x-oss-ac-source-ip, temporary credentials from a LocalStsIssuer. Skips only when node is not installed.
/// </summary>
public sealed class NodeSdkInteropTests(NodeInteropFixture fixture) : IClassFixture<NodeInteropFixture>
{
    private static readonly string[] Labels = ["space", "plus", "percent", "tilde", "parens-bang", "unicode", "nested", "quote-semicolon"];

    /// <summary>Every case interop.mjs must report; keep in step with the script.</summary>
    public static TheoryData<string> ExpectedCases
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var label in Labels)
            {
                data.Add($"v4 put/get/head {label}");
            }

            data.Add("v4 content-type given at put is returned");
            data.Add("v4 range get returns 206");
            data.Add("v4 putStream (chunked) round trip");
            data.Add("v4 head of a missing key is NoSuchKey");
            data.Add("v4 get of a missing key is NoSuchKey");
            data.Add("v4 delete removes the object");
            data.Add("v4 without sldEnable (bucket only in Host) round trip");
            data.Add("v4 putBucket creates a usable bucket");
            data.Add("v4 sts token round trip");
            foreach (var label in new[] { "unicode", "space", "parens-bang" })
            {
                data.Add($"v4 signatureUrlV4 download {label}");
            }

            data.Add("v4 tampered presigned url is SignatureDoesNotMatch");
            data.Add("v4 wrong secret is SignatureDoesNotMatch");
            data.Add("v4 unknown access key is InvalidAccessKeyId");
            data.Add("v4 clock an hour behind is RequestTimeTooSkewed");
            foreach (var label in new[] { "space", "plus", "unicode", "parens-bang", "quote-semicolon" })
            {
                data.Add($"v1 put/get/head {label}");
            }

            foreach (var label in new[] { "unicode", "space" })
            {
                data.Add($"v1 signatureUrl download {label}");
            }

            data.Add("v1 tampered signatureUrl is SignatureDoesNotMatch");
            data.Add("v1 unknown access key is InvalidAccessKeyId");
            data.Add("v4 getBucketVersioning of a bucket that never had it has no status");
            data.Add("v4 putBucketVersioning enables versioning");
            data.Add("v4 versioned puts return distinct x-oss-version-id");
            data.Add("v4 get and head by versionId serve that version");
            data.Add("v4 get of an unknown versionId is NoSuchVersion");
            data.Add("v4 signatureUrlV4 with versionId serves that version");
            data.Add("v1 signatureUrl with versionId serves that version");
            data.Add("v4 delete without versionId adds a delete marker");
            data.Add("v4 delete with versionId removes that version for good");
            data.Add("v4 get with an x-oss-traffic-limit header is paced");
            data.Add("v4 signatureUrlV4 with x-oss-traffic-limit is paced");
            data.Add("v1 signatureUrl with trafficLimit is paced");
            data.Add("v4 signatureUrlV4 with an out-of-range x-oss-traffic-limit is InvalidArgument");
            data.Add("v4 signatureUrlV4 bound to 127.0.0.1 is served");
            data.Add("v4 signatureUrlV4 bound to 10.9.8.7 is AccessDenied");
            data.Add("v4 signatureUrlV4 with a /8 subnet mask admits 127.0.0.1");
            data.Add("v1 signatureUrl bound to 127.0.0.1 is served");
            data.Add("v1 signatureUrl bound to 10.9.8.7 is AccessDenied");
            data.Add("v4 issued sts credentials round trip");
            data.Add("v1 issued sts credentials round trip");
            data.Add("v4 signatureUrlV4 with issued sts credentials");
            data.Add("v1 signatureUrl with issued sts credentials");
            data.Add("v4 expired issued sts credentials are SecurityTokenExpired");
            data.Add("v4 revoked issued sts credentials are InvalidSecurityToken");
            data.Add("v4 issued sts key without its token is InvalidAccessKeyId");
            data.Add("v4 expired presigned url is AccessDenied");
            data.Add("v1 expired signatureUrl is AccessDenied");
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ExpectedCases))]
    public void Ali_oss_case_passes(string name)
    {
        var cases = Cases();

        Assert.True(cases.TryGetValue(name, out var result), $"interop.mjs did not report the case '{name}'.");
        Assert.True(result.Ok, $"{name}: {result.Detail}");
    }

    [Fact]
    public void Ali_oss_script_reports_exactly_the_expected_cases()
    {
        var cases = Cases();
        TestContext.Current.TestOutputHelper?.WriteLine(fixture.Summary);

        var expected = ExpectedCases.Select(row => row.Data).Order(StringComparer.Ordinal);
        Assert.Equal(expected, cases.Keys.Order(StringComparer.Ordinal));
    }

    private IReadOnlyDictionary<string, InteropCase> Cases()
    {
        if (fixture.SkipReason is not null)
        {
            Assert.Skip(fixture.SkipReason);
        }

        Assert.True(fixture.Failure is null, fixture.Failure);
        return fixture.Cases;
    }
}
