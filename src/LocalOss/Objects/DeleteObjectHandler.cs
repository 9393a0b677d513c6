using LocalOss.Addressing;
using LocalOss.Errors;
using LocalOss.Http;
using LocalOss.Storage;
using Microsoft.AspNetCore.Http;

namespace LocalOss.Objects;

/// <summary>
/// DeleteObject: 204 whether or not there was anything to delete, as OSS answers. In a versioned bucket,
/// without a version id it adds a delete marker (x-oss-delete-marker: true and the marker's id); with one it
/// removes that version for good (x-oss-delete-marker: true when that version was a marker).
/// </summary>
internal sealed class DeleteObjectHandler(ObjectStore store)
{
    private const string VersionIdParameter = "versionId";

    public async Task<OssError?> HandleAsync(HttpContext context, OssRequestTarget target)
    {
        var versioned = store.GetVersioning(target.Bucket) is not null;
        var versionId = target.GetQueryValue(VersionIdParameter);
        if (!versioned && versionId is not null && versionId != VersionIds.Null)
        {
            return OssError.NoSuchVersion(target.Key, versionId);
        }

        var response = context.Response;
        var headers = response.Headers;

        // Without versioning, the "null" version is the object itself.
        if (versionId is null || !versioned)
        {
            if (await store.DeleteCurrentAsync(target.Bucket, target.Key, versioned, context.RequestAborted) is { } marker)
            {
                headers[OssHeaders.DeleteMarker] = "true";
                headers[OssHeaders.VersionId] = marker.VersionIdHeader;
            }
        }
        else
        {
            var deleted = await store.DeleteVersionAsync(target.Bucket, target.Key, versionId, context.RequestAborted);
            headers[OssHeaders.VersionId] = versionId;
            if (deleted.DeleteMarker)
            {
                headers[OssHeaders.DeleteMarker] = "true";
            }
        }

        response.StatusCode = StatusCodes.Status204NoContent;
        return null;
    }
}
