using System.Globalization;
using LocalOss.Addressing;
using LocalOss.Errors;
using LocalOss.Http;
using LocalOss.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace LocalOss.Objects;

/// <summary>GetObject and HeadObject: conditionals, then Range, then the headers OSS sends, then the streamed body.</summary>
internal sealed class GetObjectHandler(ObjectStore store)
{
    public async Task<OssError?> HandleAsync(HttpContext context, OssRequestTarget target)
    {
        var request = context.Request;
        var response = context.Response;
        var isHead = HttpMethods.IsHead(request.Method);

        // Buckets here are unversioned; "null" is the id OSS gives objects written before versioning.
        var versionId = target.GetQueryValue("versionId");
        if (versionId is not null && versionId != "null")
        {
            return OssError.NoSuchVersion(target.Key, versionId);
        }

        if (!isHead && ResponseOverrides.Validate(target) is { } overrideError)
        {
            return overrideError;
        }

        using var stored = await store.OpenAsync(target.Bucket, target.Key, context.RequestAborted);
        if (stored is null)
        {
            return OssError.NoSuchKey(target.Key);
        }

        var metadata = stored.Metadata;
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
        await stored.CopyToAsync(response.BodyWriter, offset, length, context.RequestAborted);
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
