using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Samsa.Broker.Security;
using Samsa.Protocol;
using Samsa.Protocol.Framing;
using Samsa.Protocol.Messages;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Security;

/// <summary>The TLS listener with bare sockets: what happens to clients that do not speak TLS, or speak it too slowly.</summary>
public class TlsListenerTests(TestPki pki) : IClassFixture<TestPki>
{
    private Task<EmbeddedBroker> StartTlsBrokerAsync(TimeProvider? time = null) =>
        EmbeddedBroker.StartAsync(o =>
        {
            o.Security.Protocol = BrokerSecurityProtocol.Ssl;
            o.Security.ServerCertificate = pki.Server;
            if (time is not null)
            {
                o.TimeProvider = time;
            }
        });

    private static byte[] ApiVersionsFrame()
    {
        using var output = new PooledBufferWriter(64);
        KafkaFrames.WriteRequest(output, new ApiVersionsRequest(), 0, 1, "plaintext-client");
        return output.ToArray();
    }

    [Fact]
    public async Task TlsListener_TlsClient_IsServed()
    {
        await using var broker = await StartTlsBrokerAsync();
        await using var client = await SecurityWireClient.ConnectAsync(broker.BootstrapServers, pki.Ca);

        var versions = await client.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0);

        Assert.Equal(0, versions.ErrorCode);
    }

    [Fact]
    public async Task TlsListener_PlaintextKafkaRequest_IsDisconnectedAndBrokerKeepsServing()
    {
        await using var broker = await StartTlsBrokerAsync();
        await using var plaintext = await SecurityWireClient.ConnectAsync(broker.BootstrapServers);

        await plaintext.SendBytesAsync(ApiVersionsFrame());
        var (closed, received) = await plaintext.ReadUntilClosedAsync();
        await using var tls = await SecurityWireClient.ConnectAsync(broker.BootstrapServers, pki.Ca);
        var versions = await tls.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0);

        Assert.True(closed, "The broker kept a plaintext client on its TLS listener open.");
        Assert.True(received.Length == 0 || received[0] == 0x15, "Anything sent back before the close must be a TLS alert record, never a Kafka response.");
        Assert.Equal(0, versions.ErrorCode);
    }

    [Fact]
    public async Task TlsHandshake_ClientSendsNothing_ClosedWhenHandshakeTimeoutPasses()
    {
        var time = new HandshakeTimerWatch(TimeSpan.FromSeconds(7));
        await using var broker = await EmbeddedBroker.StartAsync(o =>
        {
            o.TimeProvider = time;
            o.Security.Protocol = BrokerSecurityProtocol.Ssl;
            o.Security.ServerCertificate = pki.Server;
            o.Security.HandshakeTimeout = TimeSpan.FromSeconds(7);
        });
        await using var silent = await SecurityWireClient.ConnectAsync(broker.BootstrapServers);
        var closing = silent.ReadUntilClosedAsync();

        await time.HandshakeTimerCreated.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.False(closing.IsCompleted, "The broker closed the connection before the handshake timed out.");
        time.Advance(TimeSpan.FromSeconds(7));

        Assert.True((await closing).Closed);
    }

    /// <summary>Fake time that says when the broker starts a connection's handshake timer (the only timer with that due time).</summary>
    private sealed class HandshakeTimerWatch(TimeSpan handshakeTimeout) : FakeTimeProvider(TimeProvider.System.GetUtcNow())
    {
        private readonly TaskCompletionSource _created = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task HandshakeTimerCreated => _created.Task;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            if (dueTime == handshakeTimeout)
            {
                _created.TrySetResult();
            }

            return timer;
        }
    }

    [Fact]
    public async Task TlsListener_PemFilesAndTrustedClient_ServesWhileUntrustedClientFails()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o =>
        {
            o.Security.Protocol = BrokerSecurityProtocol.Ssl;
            o.Security.ServerCertificatePath = pki.ServerCertificatePath;
            o.Security.ServerKeyPath = pki.ServerKeyPath;
        });

        var untrusted = await Record.ExceptionAsync(() => SecurityWireClient.ConnectAsync(broker.BootstrapServers, pki.OtherCa));
        await using var trusted = await SecurityWireClient.ConnectAsync(broker.BootstrapServers, pki.Ca);
        var versions = await trusted.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0);

        Assert.IsType<AuthenticationException>(untrusted);
        Assert.Equal(0, versions.ErrorCode);
    }

    [Fact]
    public async Task TlsListener_ExpiredCertificate_ClientSeesNotTimeValid()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o =>
        {
            o.Security.Protocol = BrokerSecurityProtocol.Ssl;
            o.Security.ServerCertificate = pki.ExpiredServer;
        });
        var address = broker.BootstrapServers.Split(':');
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address[0], int.Parse(address[1]));
        await using var tls = new SslStream(tcp.GetStream());
        var status = X509ChainStatusFlags.NoError;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = address[0],
            CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, CustomTrustStore = { pki.Ca } },
            RemoteCertificateValidationCallback = (_, _, chain, errors) =>
            {
                status = chain!.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
                return errors == SslPolicyErrors.None;
            },
        };

        await Assert.ThrowsAsync<AuthenticationException>(() => tls.AuthenticateAsClientAsync(options, TestContext.Current.CancellationToken));

        Assert.Equal(X509ChainStatusFlags.NotTimeValid, status);
    }

    [Fact]
    public async Task TlsListener_ClosedMidHandshake_OtherConnectionsUnaffected()
    {
        await using var broker = await StartTlsBrokerAsync();
        var address = broker.BootstrapServers.Split(':');
        for (var i = 0; i < 5; i++)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(address[0], int.Parse(address[1]));
            await tcp.GetStream().WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x40 });
        }

        await using var client = await SecurityWireClient.ConnectAsync(broker.BootstrapServers, pki.Ca);
        var versions = await client.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0);

        Assert.Equal(0, versions.ErrorCode);
    }
}
