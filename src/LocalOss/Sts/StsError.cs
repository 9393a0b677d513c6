using System.Globalization;
using System.Net;

namespace LocalOss.Sts;

/// <summary>
/// An STS (POP gateway) error: HTTP status, code and message. Codes, statuses and wording follow Alibaba Cloud's
/// published STS and OpenAPI error tables where they list one; the few they do not are marked "ours".
/// </summary>
internal sealed record StsError(int StatusCode, string Code, string Message)
{
    public static StsError Missing(string parameter) =>
        new(400, "Missing" + parameter, $"{parameter} is mandatory for this action.");

    public static StsError DuplicateParameter(string parameter) =>
        new(400, "InvalidParameter", $"The parameter {parameter} is given more than once."); // ours

    public static StsError InvalidVersion() =>
        new(400, "InvalidVersion", "Specified parameter Version is not valid.");

    public static StsError InvalidFormat() =>
        new(400, "InvalidParameter.Format", "Specified parameter format is not valid. This stand-in answers Format=JSON only.");

    public static StsError InvalidSignatureMethod() =>
        new(400, "InvalidSignatureMethod", "Specified signature method is not valid.");

    public static StsError InvalidSignatureVersion() =>
        new(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.");

    public static StsError MissingTimestamp() =>
        new(400, "IllegalTimestamp", "The input parameter \"Timestamp\" that is mandatory for processing this request is not supplied.");

    public static StsError TimestampFormat() =>
        new(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.");

    public static StsError TimestampExpired() =>
        new(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.");

    public static StsError NonceUsed() =>
        new(400, "SignatureNonceUsed", "Specified signature nonce was used already.");

    public static StsError AccessKeyNotFound() =>
        new(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");

    // Real STS echoes its string to sign here; it can hold the caller's security token, so this one does not.
    public static StsError SignatureDoesNotMatch() =>
        new(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.");

    public static StsError SecurityTokenMismatch() =>
        new(400, "InvalidSecurityToken.MismatchWithAccessKey", "Specified SecurityToken mismatch with the AccessKey.");

    public static StsError SecurityTokenExpired() =>
        new(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.");

    public static StsError SecurityTokenMalformed() =>
        new(400, "InvalidSecurityToken.Malformed", "Specified SecurityToken is malformed.");

    public static StsError InvalidRoleArn() =>
        new(400, "InvalidParameter.RoleArn", "The parameter RoleArn is wrongly formed.");

    public static StsError InvalidRoleSessionName() =>
        new(400, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed.");

    public static StsError InvalidDuration(int maxSessionDuration) =>
        new(400, "InvalidParameter.DurationSeconds",
            string.Create(CultureInfo.InvariantCulture, $"The Min/Max value of DurationSeconds is 15min/{maxSessionDuration / 3600.0:0.##}hr."));

    public static StsError PolicyGrammar() =>
        new(400, "InvalidParameter.PolicyGrammar", "The parameter Policy has not passed grammar check.");

    public static StsError NoPermission() =>
        new(403, "NoPermission", "You are not authorized to do this action. You should be authorized by RAM.");

    public static StsError OidcNoPermission() =>
        new(401, "AuthenticationFail.NoPermission", "There is no permission");

    public static StsError OidcProviderUnknown() =>
        new(401, "AuthenticationFail.NoPermission", "No such OIDC Provider registered.");

    public static StsError OidcTokenEmpty() =>
        new(401, "AuthenticationFail.OIDCToken.Invalid", "The OIDCToken can not empty.");

    public static StsError OidcTokenRejected() =>
        new(401, "AuthenticationFail.OIDCToken.Invalid", "The Jwt content is invalid that cannot be recognized.");

    public static StsError UnsupportedHttpMethod() =>
        new(400, "UnsupportedHTTPMethod", "This http method not supported.");

    public static StsError ApiNotFound() =>
        new(404, "InvalidApi.NotFound", "Specified api is not found, please check your url and method.");

    /// <summary>A failure a test asked for with FailNext; the code is what STS's gateway answers with that status.</summary>
    public static StsError Injected(HttpStatusCode status) => status switch
    {
        HttpStatusCode.ServiceUnavailable => new(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server."),
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadRequest => new((int)status, "Throttling.User", "Request was denied due to user flow control."),
        _ when (int)status >= 500 => new((int)status, "InternalError", "The request processing has failed due to some unknown error, exception or failure."),
        _ => new((int)status, "Forbidden", "User not authorized to operate on the specified resource."),
    };
}
