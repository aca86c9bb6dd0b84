using System.Buffers.Binary;
using System.Net.Sockets;
using Samsa.Protocol;
using Samsa.Protocol.Framing;

namespace Samsa.Broker.Tests.Support;

/// <summary>A bare TCP Kafka client: sends requests encoded with Samsa.Protocol and reads raw response frames.</summary>
internal sealed class RawKafkaClient : IDisposable
{
    private readonly TcpClient _client = new();
    private readonly byte[] _buffer = new byte[1 << 20];
    private int _buffered;
    private int _correlation;

    public static async Task<RawKafkaClient> ConnectAsync(SamsaBroker broker, int nodeId = 0)
    {
        var client = new RawKafkaClient();
        var node = broker.Nodes[nodeId];
        await client._client.ConnectAsync(node.Host, node.Port);
        return client;
    }

    public NetworkStream Stream => _client.GetStream();

    public static byte[] Encode(IKafkaRequest request, short version, int correlationId)
    {
        using var output = new PooledBufferWriter();
        KafkaFrames.WriteRequest(output, request, version, correlationId, "raw-client");
        return output.ToArray();
    }

    public Task SendAsync(byte[] bytes) => Stream.WriteAsync(bytes).AsTask();

    /// <summary>Reads one response frame; null when the broker closed the connection.</summary>
    public async Task<byte[]?> ReadFrameAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_buffered >= 4)
            {
                var size = BinaryPrimitives.ReadInt32BigEndian(_buffer);
                if (_buffered >= size + 4)
                {
                    var frame = _buffer.AsSpan(4, size).ToArray();
                    _buffer.AsSpan(size + 4, _buffered - size - 4).CopyTo(_buffer);
                    _buffered -= size + 4;
                    return frame;
                }
            }

            var read = await Stream.ReadAsync(_buffer.AsMemory(_buffered), cancel.Token);
            if (read == 0)
            {
                return null;
            }

            _buffered += read;
        }
    }

    /// <summary>Sends <paramref name="request"/> and decodes its response.</summary>
    public async Task<TResponse> RoundTripAsync<TResponse>(IKafkaRequest request, short version, TimeSpan? timeout = null)
        where TResponse : IKafkaResponse
    {
        var correlation = Interlocked.Increment(ref _correlation);
        await SendAsync(Encode(request, version, correlation));
        var frame = await ReadFrameAsync(timeout ?? TimeSpan.FromSeconds(30)) ?? throw new IOException("The broker closed the connection.");
        var (answered, body) = KafkaFrames.ReadResponse(frame, request.ApiKey, version);
        Assert.Equal(correlation, answered);
        return (TResponse)body;
    }

    public void Dispose() => _client.Dispose();
}
