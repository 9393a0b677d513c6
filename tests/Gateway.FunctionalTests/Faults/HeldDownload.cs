using System.Net;

namespace Gateway.FunctionalTests.Faults;

/// <summary>
/// One download a test steers by hand: it reads the headers and a first part of the body, then holds
/// (Kestrel's backpressure keeps the gateway from sending more than the socket buffers take) until
/// the test lets it read on.
/// </summary>
internal sealed class HeldDownload : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly HttpResponseMessage _response;
    private readonly Stream _body;

    private HeldDownload(HttpClient client, HttpResponseMessage response, Stream body, long received)
    {
        _client = client;
        _response = response;
        _body = body;
        Received = received;
    }

    public long Received { get; private set; }

    public HttpStatusCode Status => _response.StatusCode;

    public long? ContentLength => _response.Content.Headers.ContentLength;

    /// <summary>Starts a GET and reads the first <paramref name="firstBytes"/> bytes of its body.</summary>
    public static async Task<HeldDownload> StartAsync(Uri url, long firstBytes)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = Timeout.InfiniteTimeSpan };
        var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        var download = new HeldDownload(client, response, body, 0);
        await download.ReadAsync(firstBytes);
        return download;
    }

    /// <summary>Reads on to the end. True when the body ended cleanly; false when the connection was cut (an exception from the client).</summary>
    public async Task<bool> ReadToEndAsync() => await ReadAsync(long.MaxValue);

    public async ValueTask DisposeAsync()
    {
        await _body.DisposeAsync();
        _response.Dispose();
        _client.Dispose();
    }

    private async Task<bool> ReadAsync(long upTo)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (Received < upTo)
            {
                var read = await _body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, upTo - Received)), TestContext.Current.CancellationToken);
                if (read == 0)
                {
                    return true;
                }

                Received += read;
            }

            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return false;
        }
    }
}
