using LocalOss.Addressing;
using LocalOss.Authentication;
using LocalOss.Buckets;
using LocalOss.Errors;
using LocalOss.Objects;
using LocalOss.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace LocalOss.Http;

/// <summary>
/// The one request delegate of LocalOss. OSS paths hold arbitrary keys (dot segments, '%', '+', 1023 bytes
/// of Unicode), which no route template expresses, so requests are parsed from the raw target here:
/// address, then signature and the network restriction it signs (x-oss-ac-*), then the operation chosen by
/// method and resource.
/// </summary>
internal sealed partial class OssRequestDispatcher(
    HostAddressing hostAddressing,
    RequestAuthenticator authenticator,
    ObjectStore store,
    GetObjectHandler getObject,
    PutObjectHandler putObject,
    DeleteObjectHandler deleteObject,
    PutBucketHandler putBucket,
    BucketVersioningHandler bucketVersioning,
    ILogger<OssRequestDispatcher> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        response.Headers[OssHeaders.RequestId] = OssRequestId.Create();
        response.Headers.Server = OssHeaders.ServerName;

        try
        {
            var error = await DispatchAsync(context);
            if (error is not null)
            {
                LogError(logger, context.Request.Method, error.StatusCode, error.Code);
                await OssErrorResponse.WriteAsync(context, error);
            }
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (BadHttpRequestException e) when (!response.HasStarted)
        {
            // Kestrel refused the body (too large, cut short): answer in OSS's shape.
            var error = e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? OssError.EntityTooLarge(ObjectStore.MaxObjectSize)
                : OssError.InvalidArgument(e.Message);
            await OssErrorResponse.WriteAsync(context, error);
        }
        catch (Exception e)
        {
            LogUnhandled(logger, e, context.Request.Method);
            if (response.HasStarted)
            {
                // Never end a half-sent body cleanly: the client must see the transfer failed.
                context.Abort();
            }
            else
            {
                await OssErrorResponse.WriteAsync(context, OssError.InternalError());
            }
        }
    }

    private async Task<OssError?> DispatchAsync(HttpContext context)
    {
        var request = context.Request;
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var hostBucket = hostAddressing.BucketFromHost(request.Host.Host);
        if (!RequestTargetParser.TryParse(rawTarget, hostBucket, out var addressed, out var addressError))
        {
            return addressError;
        }

        // A virtual-hosted request whose path also starts with its bucket may be ali-oss's sldEnable form (see RequestAuthenticator).
        OssRequestTarget? pathStyle = null;
        if (hostBucket is not null
            && RequestTargetParser.TryParse(rawTarget, hostBucket: null, out var candidate, out _)
            && string.Equals(candidate.Bucket, hostBucket, StringComparison.Ordinal))
        {
            pathStyle = candidate;
        }

        if (authenticator.Authenticate(context, addressed, pathStyle, out var target) is { } authError)
        {
            return authError;
        }

        if (SourceAddressRestriction.Check(context, target) is { } sourceError)
        {
            return sourceError;
        }

        var method = request.Method;
        if (target.Bucket.Length == 0)
        {
            return HttpMethods.IsGet(method)
                ? OssError.NotImplemented("ListBuckets")
                : OssError.MethodNotAllowed(method, "Service");
        }

        if (SubResources.FindUnsupported(target.Query, onBucket: target.Key.Length == 0) is { } subResource)
        {
            return OssError.NotImplemented($"the '{subResource}' sub-resource");
        }

        if (target.Key.Length == 0)
        {
            if (target.GetQueryValue(BucketVersioningHandler.SubResource) is not null)
            {
                return await bucketVersioning.HandleAsync(context, target);
            }

            if (HttpMethods.IsPut(method))
            {
                return putBucket.Handle(context, target);
            }

            if (!store.BucketExists(target.Bucket))
            {
                return OssError.NoSuchBucket(target.Bucket);
            }

            return HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsDelete(method)
                ? OssError.NotImplemented($"{method} on a bucket (only PutBucket, bucket versioning and object operations are emulated)")
                : OssError.MethodNotAllowed(method, "Bucket");
        }

        if (!store.BucketExists(target.Bucket))
        {
            return OssError.NoSuchBucket(target.Bucket);
        }

        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            return await getObject.HandleAsync(context, target);
        }

        if (HttpMethods.IsPut(method))
        {
            return await putObject.HandleAsync(context, target);
        }

        if (HttpMethods.IsDelete(method))
        {
            return await deleteObject.HandleAsync(context, target);
        }

        return HttpMethods.IsPost(method)
            ? OssError.NotImplemented("PostObject and multipart uploads")
            : OssError.MethodNotAllowed(method, "Object");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "{Method} answered {StatusCode} {Code}")]
    private static partial void LogError(ILogger logger, string method, int statusCode, string code);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "{Method} failed unexpectedly")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method);
}
