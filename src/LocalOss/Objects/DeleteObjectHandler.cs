using LocalOss.Addressing;
using LocalOss.Errors;
using LocalOss.Storage;
using Microsoft.AspNetCore.Http;

namespace LocalOss.Objects;

/// <summary>DeleteObject: 204 whether or not the object existed, as OSS answers.</summary>
internal sealed class DeleteObjectHandler(ObjectStore store)
{
    public OssError? Handle(HttpContext context, OssRequestTarget target)
    {
        var versionId = target.GetQueryValue("versionId");
        if (versionId is not null && versionId != "null")
        {
            return OssError.NoSuchVersion(target.Key, versionId);
        }

        store.Delete(target.Bucket, target.Key);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return null;
    }
}
