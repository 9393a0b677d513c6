using System.Net;

namespace Gateway.Oss;

/// <summary>
/// <c>CredentialsUri</c>: a URL of the operator's own that answers GET with
/// <c>{"Code":"Success","AccessKeyId","AccessKeySecret","SecurityToken","Expiration"}</c>.
/// The URL itself is never logged (it may carry a token of its own).
/// </summary>
public sealed class CredentialsUriFetcher : ICredentialsFetcher
{
    private readonly HttpClient _http;
    private readonly Uri _uri;

    public CredentialsUriFetcher(HttpClient http, Uri uri)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(uri);
        _http = http;
        _uri = uri;
    }

    public string Type => "CredentialsUri";

    public async Task<OssCredentials> FetchAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(_uri, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new CredentialsFetchException($"The credentials URI answered {(int)response.StatusCode}.");
        }

        using var document = TemporaryCredentialsJson.Parse(body, "The credentials URI");
        var code = TemporaryCredentialsJson.OptionalString(document.RootElement, "Code");
        if (code is not null && code != "Success")
        {
            throw new CredentialsFetchException($"The credentials URI answered Code '{code}'.", code);
        }

        return TemporaryCredentialsJson.Read(document.RootElement, "The credentials URI");
    }
}
