using System.Net;

namespace LocalOss.Sts;

/// <summary>One call the STS stand-in answered, as tests assert on it. Never holds a secret, token or signature.</summary>
/// <param name="Action">The <c>Action</c> parameter as sent ("" when missing).</param>
/// <param name="HttpMethod">GET or POST.</param>
/// <param name="CallerAccessKeyId">The signing access key id; null for the anonymous AssumeRoleWithOIDC.</param>
/// <param name="DurationSeconds">As sent; null when absent or not a number.</param>
/// <param name="HasPolicy">Whether a <c>Policy</c> parameter was sent.</param>
/// <param name="Status">What the server answered.</param>
public sealed record LocalStsCall(
    string Action,
    string HttpMethod,
    string? CallerAccessKeyId,
    string? RoleArn,
    string? RoleSessionName,
    int? DurationSeconds,
    string? ExternalId,
    bool HasPolicy,
    HttpStatusCode Status);
