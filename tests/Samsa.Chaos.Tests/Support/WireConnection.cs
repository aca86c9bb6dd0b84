using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Samsa.Protocol;
using Samsa.Protocol.Framing;
using Samsa.Protocol.Messages;

namespace Samsa.Chaos.Tests.Support;

/// <summary>A bare TCP connection to one broker node: writes raw bytes, reads whole response frames with a deadline.</summary>
internal sealed class WireConnection : IDisposable
{
    private readonly TcpClient _client = new() { NoDelay = true };
    private readonly byte[] _buffer = new byte[1 << 20];
    private int _buffered;
    private int _correlation;
    private NetworkStream? _stream;

    public static async Task<WireConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var connection = new WireConnection();
        try
        {
            await connection._client.ConnectAsync(host, port, cancellationToken);
            connection._stream = connection._client.GetStream();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public NetworkStream Stream => _stream!;

    public static byte[] Encode(IKafkaRequest request, short version, int correlationId)
    {
        using var output = new PooledBufferWriter();
        KafkaFrames.WriteRequest(output, request, version, correlationId, "chaos");
        return output.ToArray();
    }

    /// <summary>Sends SaslHandshake (PLAIN) and SaslAuthenticate; throws unless both succeed.</summary>
    public async Task AuthenticatePlainAsync(string user, string password, TimeSpan timeout)
    {
        var handshake = await RoundTripAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = "PLAIN" }, 1, timeout);
        if (handshake.ErrorCode != 0)
        {
            throw new InvalidOperationException($"SaslHandshake failed: {handshake.ErrorCode}");
        }

        var authenticate = await RoundTripAsync<SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = Encoding.UTF8.GetBytes($"\0{user}\0{password}") }, 2, timeout);
        if (authenticate.ErrorCode != 0)
        {
            throw new InvalidOperationException($"SaslAuthenticate failed: {authenticate.ErrorCode} {authenticate.ErrorMessage}");
        }
    }

    /// <summary>Reads one response frame; null when the broker closed the connection. Throws <see cref="OperationCanceledException"/> after <paramref name="timeout"/>.</summary>
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

    public async Task<TResponse> RoundTripAsync<TResponse>(IKafkaRequest request, short version, TimeSpan timeout)
        where TResponse : IKafkaResponse
    {
        var correlation = Interlocked.Increment(ref _correlation);
        await Stream.WriteAsync(Encode(request, version, correlation));
        var frame = await ReadFrameAsync(timeout) ?? throw new IOException("The broker closed the connection.");
        var (answered, body) = KafkaFrames.ReadResponse(frame, request.ApiKey, version);
        if (answered != correlation)
        {
            throw new InvalidOperationException($"Answer for correlation id {answered}, expected {correlation}.");
        }

        return (TResponse)body;
    }

    public void Dispose() => _client.Dispose();
}
