using System.Net.Sockets;
using System.Text;

namespace Samsa.Chaos.Tests.Support;

/// <summary>HTTP/1.1 written byte for byte (what HttpClient refuses to send: bad header bytes, lying lengths).</summary>
internal static class RawHttp
{
    /// <summary>Sends <paramref name="request"/> and returns the status code, or 0 when the server closed without an answer.</summary>
    public static async Task<(int Status, string Response)> SendAsync(Uri server, byte[] request, bool closeAfterSend, TimeSpan timeout)
    {
        using var client = new TcpClient { NoDelay = true };
        using var deadline = new CancellationTokenSource(timeout);
        await client.ConnectAsync(server.Host, server.Port, deadline.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(request, deadline.Token);
        if (closeAfterSend)
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }

        var response = new MemoryStream();
        var buffer = new byte[16384];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
            {
                response.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // Reset after the answer: what was read counts.
        }

        var text = Encoding.UTF8.GetString(response.ToArray());
        var status = text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && int.TryParse(text.AsSpan(9, 3), out var code) ? code : 0;
        return (status, text);
    }

    public static byte[] Request(string method, string path, string? body, params string[] headers)
    {
        var builder = new StringBuilder();
        builder.Append(method).Append(' ').Append(path).Append(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
        foreach (var header in headers)
        {
            builder.Append(header).Append("\r\n");
        }

        if (body is not null && !headers.Any(h => h.StartsWith("Content-Length", StringComparison.OrdinalIgnoreCase) || h.StartsWith("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)))
        {
            builder.Append("Content-Length: ").Append(Encoding.UTF8.GetByteCount(body)).Append("\r\n");
        }

        builder.Append("\r\n").Append(body);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }
}
