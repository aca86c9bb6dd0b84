using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Samsa.Protocol;
using Samsa.Protocol.Framing;

namespace Samsa.Broker.Tests.Security;

/// <summary>A bare Kafka wire client for the SASL tests: typed requests, bare SASL tokens, and "did the broker close?".</summary>
internal sealed class SecurityWireClient : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
    private readonly TcpClient _tcp;
    private readonly Stream _stream;
    private int _correlationId;

    private SecurityWireClient(TcpClient tcp, Stream stream)
    {
        _tcp = tcp;
        _stream = stream;
    }

    /// <summary>Connects to the first bootstrap address; with <paramref name="trustedCa"/>, over TLS trusting only that authority.</summary>
    public static async Task<SecurityWireClient> ConnectAsync(string bootstrapServers, X509Certificate2? trustedCa = null)
    {
        var address = bootstrapServers.Split(',')[0];
        var host = address.Split(':')[0];
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(host, int.Parse(address.Split(':')[1]));
        if (trustedCa is null)
        {
            return new SecurityWireClient(tcp, tcp.GetStream());
        }

        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(trustedCa);
        using var timeout = new CancellationTokenSource(s_timeout);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host, CertificateChainPolicy = policy }, timeout.Token);
        return new SecurityWireClient(tcp, tls);
    }

    public async Task<TResponse> SendAsync<TResponse>(IKafkaRequest request, short version)
        where TResponse : IKafkaResponse
    {
        var correlationId = ++_correlationId;
        await WriteRequestAsync(request, version, correlationId);
        var frame = await ReceiveFrameAsync();
        var (readCorrelationId, body) = KafkaFrames.ReadResponse(frame, request.ApiKey, version);
        Assert.Equal(correlationId, readCorrelationId);
        return (TResponse)body;
    }

    /// <summary>Sends a request and expects no answer: the broker closes the connection instead.</summary>
    public async Task SendExpectingCloseAsync(IKafkaRequest request, short version)
    {
        await WriteRequestAsync(request, version, ++_correlationId);
        Assert.True(await IsClosedByBrokerAsync(), $"The broker answered {request.ApiKey} instead of closing the connection.");
    }

    /// <summary>Sends a bare size-prefixed SASL token (after a SaslHandshake v0).</summary>
    public async Task SendTokenAsync(byte[] token)
    {
        var frame = new byte[token.Length + 4];
        BinaryPrimitives.WriteInt32BigEndian(frame, token.Length);
        token.CopyTo(frame, 4);
        using var timeout = new CancellationTokenSource(s_timeout);
        await _stream.WriteAsync(frame, timeout.Token);
    }

    public async Task SendBytesAsync(byte[] bytes)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        await _stream.WriteAsync(bytes, timeout.Token);
    }

    /// <summary>Reads one size-prefixed frame: a response, or a bare SASL token.</summary>
    public async Task<byte[]> ReceiveFrameAsync()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var size = new byte[4];
        await _stream.ReadExactlyAsync(size, timeout.Token);
        var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
        await _stream.ReadExactlyAsync(frame, timeout.Token);
        return frame;
    }

    /// <summary>True when the broker closes the connection (end of stream or reset) with nothing more to read, within a bounded wait.</summary>
    public async Task<bool> IsClosedByBrokerAsync()
    {
        var (closed, received) = await ReadUntilClosedAsync();
        return closed && received.Length == 0;
    }

    /// <summary>Reads until the broker closes the connection or the bounded wait ends; returns whether it closed and what came before.</summary>
    public async Task<(bool Closed, byte[] Received)> ReadUntilClosedAsync()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var received = new MemoryStream();
        var buffer = new byte[256];
        try
        {
            int read;
            while ((read = await _stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }

            return (true, received.ToArray());
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            return (true, received.ToArray());
        }
        catch (OperationCanceledException)
        {
            return (false, received.ToArray());
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }

    private async Task WriteRequestAsync(IKafkaRequest request, short version, int correlationId)
    {
        using var output = new PooledBufferWriter(256);
        KafkaFrames.WriteRequest(output, request, version, correlationId, "security-wire-test");
        using var timeout = new CancellationTokenSource(s_timeout);
        await _stream.WriteAsync(output.WrittenMemory, timeout.Token);
    }
}
