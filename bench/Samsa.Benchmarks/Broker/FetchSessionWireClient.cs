using System.Buffers.Binary;
using System.Net.Sockets;
using Samsa.Protocol;
using Samsa.Protocol.Framing;

namespace Samsa.Benchmarks.Broker;

/// <summary>
/// A bare, synchronous Kafka wire client for <see cref="FetchSessionBenchmarks"/>: requests encoded with Samsa.Protocol,
/// response frames read raw into one reused buffer (decoded only when asked), so that the client's own work per fetch
/// is a write and a read on the socket. librdkafka cannot be used there: it never opens a fetch session (KIP-227).
/// </summary>
internal sealed class FetchSessionWireClient : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private byte[] _buffer = new byte[1 << 20];
    private int _buffered;
    private int _frameEnd;
    private int _correlation;

    private FetchSessionWireClient(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static FetchSessionWireClient Connect(string host, int port)
    {
        var client = new TcpClient { NoDelay = true };
        client.Connect(host, port);
        return new FetchSessionWireClient(client);
    }

    public int NextCorrelationId() => ++_correlation;

    public static byte[] Encode(IKafkaRequest request, short version, int correlationId)
    {
        using var output = new PooledBufferWriter();
        KafkaFrames.WriteRequest(output, request, version, correlationId, "samsa-bench");
        return output.ToArray();
    }

    public void Send(byte[] frame) => _stream.Write(frame);

    /// <summary>Reads one response frame (without its size prefix); valid until the next read.</summary>
    public ReadOnlyMemory<byte> ReadFrame()
    {
        // Drop the previous frame, keeping any bytes read past it.
        if (_frameEnd > 0)
        {
            _buffer.AsSpan(_frameEnd, _buffered - _frameEnd).CopyTo(_buffer);
            _buffered -= _frameEnd;
            _frameEnd = 0;
        }

        while (true)
        {
            if (_buffered >= 4)
            {
                var size = BinaryPrimitives.ReadInt32BigEndian(_buffer);
                if (size + 4 > _buffer.Length)
                {
                    Array.Resize(ref _buffer, size + 4);
                }

                if (_buffered >= size + 4)
                {
                    _frameEnd = size + 4;
                    return _buffer.AsMemory(4, size);
                }
            }

            var read = _stream.Read(_buffer, _buffered, _buffer.Length - _buffered);
            if (read == 0)
            {
                throw new IOException("The broker closed the connection.");
            }

            _buffered += read;
        }
    }

    /// <summary>Sends <paramref name="request"/> and decodes its response.</summary>
    public TResponse RoundTrip<TResponse>(IKafkaRequest request, short version)
        where TResponse : IKafkaResponse
    {
        var correlation = NextCorrelationId();
        Send(Encode(request, version, correlation));
        var (answered, body) = KafkaFrames.ReadResponse(ReadFrame(), request.ApiKey, version);
        if (answered != correlation)
        {
            throw new InvalidOperationException($"Response to correlation id {answered}, expected {correlation}.");
        }

        return (TResponse)body;
    }

    public void Dispose() => _client.Dispose();
}
