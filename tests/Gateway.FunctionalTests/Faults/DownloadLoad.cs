using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gateway.FunctionalTests.Faults;

/// <summary>
/// Clients that download one path again and again until told to stop, each on its own connection
/// pool, and sort every attempt by what the client saw: a complete body, a body cut off after the
/// headers (an abort), a failure before any header, a refused connection, another status, or, the
/// thing that must never happen, a clean end of a 200 body short of its length.
/// </summary>
internal sealed class DownloadLoad
{
    private readonly ConcurrentQueue<long> _completedAt = new();
    private readonly ConcurrentDictionary<int, int> _statuses = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _clients = [];
    private long _completed;
    private long _completedBytes;
    private long _cutAfterHeaders;
    private long _cutBytes;
    private long _failedBeforeHeaders;
    private long _refused;
    private long _short;

    private DownloadLoad(Func<Uri> target, string path, long length, int clients, bool stopWhenRefused)
    {
        for (var i = 0; i < clients; i++)
        {
            _clients.Add(Task.Run(() => RunAsync(target, path, length, stopWhenRefused)));
        }
    }

    public long Completed => Interlocked.Read(ref _completed);

    public long CompletedBytes => Interlocked.Read(ref _completedBytes);

    public long CutAfterHeaders => Interlocked.Read(ref _cutAfterHeaders);

    /// <summary>Bytes the client received of downloads cut off after the headers.</summary>
    public long CutBytes => Interlocked.Read(ref _cutBytes);

    public long FailedBeforeHeaders => Interlocked.Read(ref _failedBeforeHeaders);

    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>200 answers whose body ended cleanly but short: a truncated file the client would take as whole.</summary>
    public long ShortBodies => Interlocked.Read(ref _short);

    /// <summary>Answers other than 200, by status.</summary>
    public IReadOnlyDictionary<int, int> OtherStatuses => _statuses;

    /// <summary>Stopwatch timestamps of the completed downloads.</summary>
    public IReadOnlyCollection<long> CompletedAt => _completedAt;

    /// <summary>Starts <paramref name="clients"/> loops against <paramref name="target"/>() + <paramref name="path"/>, each body expected to be <paramref name="length"/> bytes.</summary>
    /// <param name="stopWhenRefused">A loop ends when a connection is refused (the server stopped listening).</param>
    public static DownloadLoad Start(Func<Uri> target, string path, long length, int clients, bool stopWhenRefused = false) =>
        new(target, path, length, clients, stopWhenRefused);

    /// <summary>Stops the loops (a download under way is finished or cut, not abandoned) and waits for them.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
    }

    /// <summary>Waits until the loops ended on their own (every one saw a refused connection).</summary>
    public Task WhenAllEnded(TimeSpan timeout) => Task.WhenAll(_clients).WaitAsync(timeout, TestContext.Current.CancellationToken);

    public override string ToString() =>
        $"completed {Completed}, cut after headers {CutAfterHeaders}, failed before headers {FailedBeforeHeaders}, refused {Refused}, short 200s {ShortBodies}, other statuses [{string.Join(", ", _statuses.Select(s => $"{s.Key}: {s.Value}"))}]";

    private static bool IsRefused(Exception exception)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                return true;
            }
        }

        return false;
    }

    private async Task RunAsync(Func<Uri> target, string path, long length, bool stopWhenRefused)
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var buffer = new byte[64 * 1024];
        while (!_stop.IsCancellationRequested)
        {
            HttpResponseMessage response;
            try
            {
                // Not cancelled by Stop: a request under way runs to its end, so every attempt has a known outcome.
                response = await client.GetAsync(new Uri(target(), path), HttpCompletionOption.ResponseHeadersRead, CancellationToken.None);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                if (IsRefused(ex))
                {
                    Interlocked.Increment(ref _refused);
                    if (stopWhenRefused)
                    {
                        return;
                    }

                    await Task.Delay(50, CancellationToken.None);
                }
                else
                {
                    Interlocked.Increment(ref _failedBeforeHeaders);
                }

                continue;
            }

            using (response)
            {
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    _statuses.AddOrUpdate((int)response.StatusCode, 1, static (_, n) => n + 1);
                    await response.Content.ReadAsByteArrayAsync(CancellationToken.None).ConfigureAwait(false);
                    continue;
                }

                long received = 0;
                try
                {
                    await using var body = await response.Content.ReadAsStreamAsync(CancellationToken.None);
                    int read;
                    while ((read = await body.ReadAsync(buffer, CancellationToken.None)) > 0)
                    {
                        received += read;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException)
                {
                    Interlocked.Increment(ref _cutAfterHeaders);
                    Interlocked.Add(ref _cutBytes, received);
                    continue;
                }

                if (received == length)
                {
                    Interlocked.Increment(ref _completed);
                    Interlocked.Add(ref _completedBytes, received);
                    _completedAt.Enqueue(Stopwatch.GetTimestamp());
                }
                else
                {
                    Interlocked.Increment(ref _short);
                }
            }
        }
    }
}
