using System.Buffers.Binary;
using System.Net.Sockets;
using Samsa.Protocol;
using Samsa.Protocol.Framing;

namespace Samsa.Broker.Tests.Groups;

/// <summary>A bare Kafka wire client: sends one request at a chosen version and decodes the response.</summary>
internal sealed class GroupWireClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private int _correlationId;

    private GroupWireClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<GroupWireClient> ConnectAsync(Samsa.Broker.Cluster.BrokerNode node)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(node.Host, node.Port);
        return new GroupWireClient(tcp);
    }

    public async Task<TResponse> SendAsync<TResponse>(IKafkaRequest request, short version, TimeSpan? timeout = null)
        where TResponse : IKafkaResponse
    {
        var correlationId = ++_correlationId;
        using var output = new PooledBufferWriter(256);
        KafkaFrames.WriteRequest(output, request, version, correlationId, "wire-test");
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        await _stream.WriteAsync(output.WrittenMemory, cts.Token);

        var sizeBytes = new byte[4];
        await _stream.ReadExactlyAsync(sizeBytes, cts.Token);
        var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(sizeBytes)];
        await _stream.ReadExactlyAsync(frame, cts.Token);
        var (readCorrelationId, body) = KafkaFrames.ReadResponse(frame, request.ApiKey, version);
        Assert.Equal(correlationId, readCorrelationId);
        return (TResponse)body;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
