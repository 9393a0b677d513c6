using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Gateway.FunctionalTests.Hardening;

/// <summary>
/// Sends a request exactly as written, byte for byte, over a fresh connection (HttpClient would normalise the
/// target, refuse odd headers and re-encode bodies), and reads the answer to the end (<c>Connection: close</c>).
/// </summary>
internal static class RawHttpClient
{
    /// <summary>The status code, or null when the connection closed without a status line.</summary>
    public static async Task<int?> SendAsync(Uri server, byte[] request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server.Host, server.Port, deadline.Token);
        try
        {
            await socket.SendAsync(request, SocketFlags.None, deadline.Token);
        }
        catch (SocketException)
        {
            // The server may answer (413, 431, 400) and close before it has read everything; the answer still counts.
        }

        var head = new List<byte>(256);
        var buffer = new byte[16 * 1024];
        while (true)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            }
            catch (SocketException)
            {
                break;
            }

            if (read == 0)
            {
                break;
            }

            // Only the status line is kept; the rest is read and dropped, so big bodies cost nothing.
            for (var i = 0; i < read && head.Count < 64; i++)
            {
                head.Add(buffer[i]);
            }
        }

        var text = Encoding.ASCII.GetString([.. head]);
        return text.Length >= 12 && text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status)
            ? status
            : null;
    }

    /// <summary>A request with <c>Host</c>, <c>Connection: close</c> and, for a body, its <c>Content-Length</c>.</summary>
    public static byte[] Build(string method, string target, IEnumerable<(string Name, string Value)> headers, byte[]? body = null)
    {
        var message = new MemoryStream();
        void Write(string text) => message.Write(Encoding.Latin1.GetBytes(text));
        Write($"{method} ");
        message.Write(Encoding.UTF8.GetBytes(target));
        Write(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
        {
            Write(name);
            Write(": ");
            message.Write(Encoding.UTF8.GetBytes(value));
            Write("\r\n");
        }

        if (body is not null)
        {
            Write(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n"));
        }

        Write("\r\n");
        if (body is not null)
        {
            message.Write(body);
        }

        return message.ToArray();
    }
}
