using LocalOss.Addressing;
using LocalOss.Errors;
using LocalOss.Storage;
using Microsoft.AspNetCore.Http;

namespace LocalOss.Buckets;

/// <summary>
/// PutBucket creates the bucket's directory. Creating a bucket that already exists answers 200 too: every
/// LocalOss key owns every bucket, and OSS only refuses (409) a name held by another account. The body
/// (storage class, redundancy) and ACL headers are accepted and ignored.
/// </summary>
internal sealed class PutBucketHandler(ObjectStore store)
{
    public OssError? Handle(HttpContext context, OssRequestTarget target)
    {
        store.CreateBucket(target.Bucket);
        context.Response.Headers.Location = "/" + target.Bucket;
        context.Response.ContentLength = 0;
        return null;
    }
}
