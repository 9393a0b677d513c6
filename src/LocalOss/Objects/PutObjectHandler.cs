using LocalOss.Addressing;
using LocalOss.Errors;
using LocalOss.Http;
using LocalOss.Storage;
using LocalOss.Throttling;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Primitives;

namespace LocalOss.Objects;

/// <summary>
/// PutObject: streams the body to disk (never into memory), no faster than an x-oss-traffic-limit allows, and
/// answers with the MD5 ETag and, in a versioned bucket, the new version's id.
/// </summary>
internal sealed class PutObjectHandler(ObjectStore store, TimeProvider timeProvider)
{
    private const string DefaultContentType = "application/octet-stream";

    // Like OSS, an upload without Content-Type gets one from the key's extension.
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public async Task<OssError?> HandleAsync(HttpContext context, OssRequestTarget target)
    {
        var request = context.Request;
        var headers = request.Headers;

        if (HasConditionalHeader(headers))
        {
            return OssError.ConditionalPutNotImplemented();
        }

        if (TrafficLimit.Read(headers, target, out var trafficLimit) is { } limitError)
        {
            return limitError;
        }

        if (request.ContentLength > ObjectStore.MaxObjectSize)
        {
            return OssError.EntityTooLarge(ObjectStore.MaxObjectSize);
        }

        byte[]? expectedMd5 = null;
        var contentMd5 = headers.ContentMD5;
        if (!StringValues.IsNullOrEmpty(contentMd5) && !TryParseMd5(contentMd5.ToString(), out expectedMd5))
        {
            return OssError.InvalidDigest();
        }

        var forbidOverwrite = string.Equals(headers[OssHeaders.ForbidOverwrite], "true", StringComparison.OrdinalIgnoreCase);
        var write = new ObjectWrite
        {
            ContentType = string.IsNullOrEmpty(request.ContentType) ? GuessContentType(target.Key) : request.ContentType,
            Headers = StoredHeaders.Capture(headers),
            ExpectedMd5 = expectedMd5,
            ForbidOverwrite = forbidOverwrite,
            Pacer = trafficLimit is { } bitsPerSecond ? new TransferPacer(bitsPerSecond, timeProvider) : null,
        };

        var result = await store.PutAsync(target.Bucket, target.Key, request.Body, write, context.RequestAborted);
        switch (result.Status)
        {
            case ObjectWriteStatus.DigestMismatch:
                return OssError.BadDigest();
            case ObjectWriteStatus.AlreadyExists:
                return OssError.FileAlreadyExists();
            case ObjectWriteStatus.TooLarge:
                return OssError.EntityTooLarge(ObjectStore.MaxObjectSize);
        }

        var metadata = result.Metadata!;
        var response = context.Response;
        response.Headers.ETag = metadata.QuotedETag;
        response.Headers.ContentMD5 = Convert.ToBase64String(Convert.FromHexString(metadata.ETag));
        if (result.Versioning is not null)
        {
            response.Headers[OssHeaders.VersionId] = metadata.VersionIdHeader;
        }

        response.ContentLength = 0;
        return null;
    }

    private static bool HasConditionalHeader(IHeaderDictionary headers) =>
        !StringValues.IsNullOrEmpty(headers.IfMatch)
        || !StringValues.IsNullOrEmpty(headers.IfNoneMatch)
        || !StringValues.IsNullOrEmpty(headers.IfModifiedSince)
        || !StringValues.IsNullOrEmpty(headers.IfUnmodifiedSince);

    private static bool TryParseMd5(string value, out byte[]? md5)
    {
        md5 = new byte[16];
        if (Convert.TryFromBase64String(value.Trim(), md5, out var written) && written == md5.Length)
        {
            return true;
        }

        md5 = null;
        return false;
    }

    private static string GuessContentType(string key) =>
        ContentTypes.TryGetContentType(key, out var contentType) ? contentType : DefaultContentType;
}
