using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LocalOss.Tests.Sts;

/// <summary>
/// Builds STS requests step by step as aliyun/credentials-go does (providers/ram_role_arn.go, oidc.go): common
/// parameters in the query, the action's in a form body, and for AssumeRole the signature computed with Go's
/// url.Values.Encode + QueryEscape and the same three replacements. Written independently of the server's verifier.
/// </summary>
internal sealed class CredentialsGoRequest
{
    public string Method { get; init; } = "POST";

    public required string Action { get; init; }

    public Dictionary<string, string> Query { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Form { get; } = new(StringComparer.Ordinal);

    public static CredentialsGoRequest AssumeRole(string accessKeyId, string roleArn, string sessionName = "gateway-tests", int durationSeconds = 3600, string? securityToken = null, DateTimeOffset? timestamp = null, string method = "POST")
    {
        var request = new CredentialsGoRequest { Action = "AssumeRole", Method = method };
        request.AddCommon(timestamp);
        request.Query["SignatureMethod"] = "HMAC-SHA1";
        request.Query["SignatureVersion"] = "1.0";
        request.Query["SignatureNonce"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        request.Query["AccessKeyId"] = accessKeyId;
        if (securityToken is not null)
        {
            request.Query["SecurityToken"] = securityToken;
        }

        request.Form["RoleArn"] = roleArn;
        request.Form["RoleSessionName"] = sessionName;
        request.Form["DurationSeconds"] = durationSeconds.ToString(CultureInfo.InvariantCulture);
        return request;
    }

    public static CredentialsGoRequest AssumeRoleWithOidc(string roleArn, string providerArn, string token, string sessionName = "gateway-tests", int durationSeconds = 3600)
    {
        var request = new CredentialsGoRequest { Action = "AssumeRoleWithOIDC" };
        request.AddCommon(timestamp: null);
        request.Form["RoleArn"] = roleArn;
        request.Form["OIDCProviderArn"] = providerArn;
        request.Form["OIDCToken"] = token;
        request.Form["RoleSessionName"] = sessionName;
        request.Form["DurationSeconds"] = durationSeconds.ToString(CultureInfo.InvariantCulture);
        return request;
    }

    /// <summary>ram_role_arn.go: GetURLFormedMap, then +→%20, *→%2A, %7E→~, QueryEscape, METHOD&amp;%2F&amp;, HMAC-SHA1(secret&amp;).</summary>
    public void Sign(string accessKeySecret)
    {
        var all = new Dictionary<string, string>(Query, StringComparer.Ordinal);
        foreach (var (name, value) in Form)
        {
            all[name] = value;
        }

        var stringToSign = Encode(all).Replace("+", "%20", StringComparison.Ordinal).Replace("*", "%2A", StringComparison.Ordinal).Replace("%7E", "~", StringComparison.Ordinal);
        stringToSign = Method + "&%2F&" + QueryEscape(stringToSign);
        Query["Signature"] = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(accessKeySecret + "&"), Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>internal/http/http.go: queries in the URL, the form as the body.</summary>
    public HttpRequestMessage ToHttpRequest(Uri endpoint)
    {
        // credentials-go always POSTs; for GET, as other RPC clients send it, everything goes in the query.
        var query = new Dictionary<string, string>(Query, StringComparer.Ordinal);
        if (Method == "GET")
        {
            foreach (var (name, value) in Form)
            {
                query[name] = value;
            }
        }

        var message = new HttpRequestMessage(new HttpMethod(Method), new Uri(endpoint, "?" + Encode(query)));
        if (Method == "POST")
        {
            message.Content = new StringContent(Encode(Form), Encoding.UTF8, "application/x-www-form-urlencoded");
        }

        message.Headers.TryAddWithoutValidation("Accept-Encoding", "identity");
        message.Headers.TryAddWithoutValidation("x-acs-credentials-provider", "static_ak");
        return message;
    }

    /// <summary>Go's url.Values.Encode: sorted by name, QueryEscape on both sides.</summary>
    public static string Encode(IReadOnlyDictionary<string, string> values)
    {
        var builder = new StringBuilder();
        foreach (var name in values.Keys.Order(StringComparer.Ordinal))
        {
            if (builder.Length > 0)
            {
                builder.Append('&');
            }

            builder.Append(QueryEscape(name)).Append('=').Append(QueryEscape(values[name]));
        }

        return builder.ToString();
    }

    /// <summary>Go's url.QueryEscape: A-Z a-z 0-9 - _ . ~ kept, space as '+', every other UTF-8 byte as %XX.</summary>
    public static string QueryEscape(string value)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else if (c == ' ')
            {
                builder.Append('+');
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private void AddCommon(DateTimeOffset? timestamp)
    {
        Query["Version"] = "2015-04-01";
        Query["Action"] = Action;
        Query["Format"] = "JSON";
        Query["Timestamp"] = (timestamp ?? DateTimeOffset.UtcNow).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }
}
