using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Samsa.Protocol;
using Samsa.Protocol.Framing;
using Samsa.Protocol.Messages;

namespace Samsa.TestUtils;

/// <summary>
/// A scripted Kafka server for tests: accepts connections on a loopback port, decodes every request
/// with Samsa.Protocol, records it, and answers with what the script returns (no answer for null).
/// Lets a test see the exact requests a real client sends, or play a misbehaving broker.
/// </summary>
public sealed class ScriptedKafkaServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<RequestHeader, IKafkaRequest, IKafkaResponse?> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accept;

    public ScriptedKafkaServer(Func<RequestHeader, IKafkaRequest, IKafkaResponse?> script)
    {
        _script = script;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string BootstrapServers => $"127.0.0.1:{Port}";

    /// <summary>Every request received, in arrival order per connection.</summary>
    public ConcurrentQueue<(RequestHeader Header, IKafkaRequest Body)> Requests { get; } = new();

    /// <summary>Bytes of every request frame received (after the size prefix), for low-level checks.</summary>
    public ConcurrentQueue<byte[]> Frames { get; } = new();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                lock (_connections)
                {
                    _connections.Add(ServeAsync(client));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var pending = new ArrayBufferWriter<byte>();
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer, _stop.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                pending.Write(buffer.AsSpan(0, read));
                var sequence = new ReadOnlySequence<byte>(pending.WrittenMemory);
                var consumed = 0L;
                while (FrameReader.TryReadFrame(ref sequence, 100 * 1024 * 1024, out var frame))
                {
                    consumed = pending.WrittenCount - sequence.Length;
                    var bytes = frame.ToArray();
                    Frames.Enqueue(bytes);
                    var (header, body) = KafkaFrames.ReadRequest(bytes);
                    Requests.Enqueue((header, body));
                    var response = _script(header, body);
                    if (response is not null)
                    {
                        using var output = new PooledBufferWriter();
                        KafkaFrames.WriteResponse(output, response, header.RequestApiVersion, header.CorrelationId);
                        await stream.WriteAsync(output.WrittenMemory, _stop.Token).ConfigureAwait(false);
                    }
                }

                var rest = pending.WrittenSpan[(int)consumed..].ToArray();
                pending.Clear();
                pending.Write(rest);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accept.ConfigureAwait(false);
        Task[] running;
        lock (_connections)
        {
            running = [.. _connections];
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        _stop.Dispose();
    }
}
