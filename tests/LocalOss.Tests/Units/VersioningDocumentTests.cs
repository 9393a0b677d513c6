using System.Text;
using LocalOss.Buckets;

namespace LocalOss.Tests.Units;

public sealed class VersioningDocumentTests
{
    [Theory]
    [InlineData("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>", LocalOssVersioningStatus.Enabled)]
    [InlineData("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<VersioningConfiguration>\n  <Status>Suspended</Status>\n</VersioningConfiguration>\n", LocalOssVersioningStatus.Suspended)]
    [InlineData("<VersioningConfiguration xmlns=\"http://doc.oss-cn-hangzhou.aliyuncs.com\"><!-- c --><Status>Enabled</Status></VersioningConfiguration>", LocalOssVersioningStatus.Enabled)]
    public void Reads_the_status(string xml, LocalOssVersioningStatus expected)
    {
        Assert.True(BucketVersioningHandler.TryParse(Encoding.UTF8.GetBytes(xml), out var status));
        Assert.Equal(expected, status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<VersioningConfiguration><Status>Enabled</Status>")]
    [InlineData("<VersioningConfiguration><Status><b>Enabled</b></Status></VersioningConfiguration>")]
    [InlineData("<VersioningConfiguration>Enabled</VersioningConfiguration>")]
    [InlineData("<VersioningConfiguration><Other>x</Other><Status>Enabled</Status></VersioningConfiguration>")]
    public void Refuses_anything_but_one_status(string xml)
    {
        Assert.False(BucketVersioningHandler.TryParse(Encoding.UTF8.GetBytes(xml), out _));
    }

    [Fact]
    public void Renders_the_status_and_omits_it_for_a_bucket_that_never_had_versioning()
    {
        Assert.Equal(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<VersioningConfiguration>\n  <Status>Enabled</Status>\n</VersioningConfiguration>",
            Encoding.UTF8.GetString(BucketVersioningHandler.Render(LocalOssVersioningStatus.Enabled)));
        Assert.Equal(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<VersioningConfiguration />",
            Encoding.UTF8.GetString(BucketVersioningHandler.Render(null)));
    }
}
