using System.Globalization;
using LocalOss.Addressing;
using LocalOss.Errors;
using LocalOss.Http;
using LocalOss.Storage;
using LocalOss.Throttling;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace LocalOss.Objects;

/// <summary>
/// GetObject and HeadObject: the version (current, or <c>?versionId=</c>), then conditionals, then Range, then
/// the headers OSS sends, then the streamed body, paced when the request carries an x-oss-traffic-limit.
/// </summary>
internal sealed class GetObjectHandler(ObjectStore store, TimeProvider timeProvider)
{
    private const string VersionIdParameter = "versionId";

    public async Task<OssError?> HandleAsync(HttpContext context, OssRequestTarget target)
    {
        var request = context.Request;
        var response = context.Response;
        var isHead = HttpMethods.IsHead(request.Method);

        if (TrafficLimit.Read(request.Headers, target, out var trafficLimit) is { } limitError)
        {
            return limitError;
        }

        if (!isHead && ResponseOverrides.Validate(target) is { } overrideError)
        {
            return overrideError;
        }

        var versioned = store.GetVersioning(target.Bucket) is not null;
        var versionId = target.GetQueryValue(VersionIdParameter);

        // A bucket that never had versioning holds only the "null" version: what OSS calls objects written before versioning.
        if (!versioned && versionId is not null && versionId != VersionIds.Null)
        {
            return OssError.NoSuchVersion(target.Key, versionId);
        }

        using var stored = versionId is null
            ? await store.OpenCurrentAsync(target.Bucket, target.Key, versioned, context.RequestAborted)
            : await store.OpenVersionAsync(target.Bucket, target.Key, versionId, context.RequestAborted);
        if (stored is null)
        {
            return versionId is null || !versioned ? OssError.NoSuchKey(target.Key) : OssError.NoSuchVersion(target.Key, versionId);
        }

        var metadata = stored.Metadata;
        if (metadata.DeleteMarker)
        {
            return versionId is null
                ? OssError.NoSuchKeyBehindDeleteMarker(target.Key, metadata.VersionIdHeader)
                : OssError.DeleteMarkerNotReadable(request.Method, metadata.VersionIdHeader);
        }

        if (versioned)
        {
            response.Headers[OssHeaders.VersionId] = metadata.VersionIdHeader;
        }

        switch (Preconditions.Evaluate(request.Headers, metadata, out var failedCondition))
        {
            case PreconditionOutcome.Failed:
                return OssError.PreconditionFailed(failedCondition!);
            case PreconditionOutcome.NotModified:
                response.StatusCode = StatusCodes.Status304NotModified;
                SetValidators(response.Headers, metadata);
                return null;
        }

        var range = Preconditions.IfRangeAllowsRange(request.Headers.IfRange, metadata)
            ? RangeRequest.Evaluate(request.Headers.Range, metadata.Size, IsStandardRangeBehavior(request.Headers))
            : RangeDecision.Whole;
        if (range.Outcome == RangeOutcome.Unsatisfiable)
        {
            return OssError.InvalidRange(request.Headers.Range.ToString(), metadata.Size);
        }

        var headers = response.Headers;
        SetValidators(headers, metadata);
        headers.AcceptRanges = "bytes";
        headers[OssHeaders.ObjectType] = "Normal";
        headers[OssHeaders.StorageClass] = "Standard";
        response.ContentType = metadata.ContentType;
        StoredHeaders.Apply(headers, metadata.Headers);

        long offset = 0;
        var length = metadata.Size;
        if (range.Outcome == RangeOutcome.Partial)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {range.Start}-{range.End}/{metadata.Size}");
            offset = range.Start;
            length = range.Length;
        }
        else
        {
            headers.ContentMD5 = Convert.ToBase64String(Convert.FromHexString(metadata.ETag));
        }

        response.ContentLength = length;
        if (isHead)
        {
            return null;
        }

        ResponseOverrides.Apply(target, headers);
        var pacer = trafficLimit is { } bitsPerSecond ? new TransferPacer(bitsPerSecond, timeProvider) : null;
        await stored.CopyToAsync(response.BodyWriter, offset, length, pacer, context.RequestAborted);
        return null;
    }

    private static void SetValidators(IHeaderDictionary headers, ObjectMetadata metadata)
    {
        headers.ETag = metadata.QuotedETag;
        headers.LastModified = HeaderUtilities.FormatDate(metadata.LastModified);
    }

    private static bool IsStandardRangeBehavior(IHeaderDictionary headers) =>
        string.Equals(headers[OssHeaders.RangeBehavior], "standard", StringComparison.OrdinalIgnoreCase);
}
