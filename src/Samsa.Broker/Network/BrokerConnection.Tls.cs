using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using Samsa.Broker.Security;

namespace Samsa.Broker.Network;

/// <summary>
/// TLS for SSL and SASL_SSL listeners. The socket's stream is wrapped in an <see cref="SslStream"/>
/// before the pipe reader is created over it; the handshake runs first thing in <see cref="RunAsync"/>,
/// on this connection's task (never on the accept loop), bounded by the handshake timeout on the
/// broker's <see cref="TimeProvider"/>. A failed handshake ends this connection only, with
/// <see cref="ConnectionEndReason.TlsHandshakeFailed"/> and one log line.
/// </summary>
internal sealed partial class BrokerConnection
{
    private readonly ListenerSecurity _security;
    private string? _tlsPrincipal;

    private Stream WrapForTls(NetworkStream network) =>
        _security.UsesTls ? new SslStream(network, leaveInnerStreamOpen: false) : network;

    private async Task AuthenticateTlsAsync()
    {
        if (_stream is not SslStream tls)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(_security.HandshakeTimeout, _time);
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token, timeout.Token);
        try
        {
            await tls.AuthenticateAsServerAsync(_security.CreateServerAuthenticationOptions(), handshake.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or SocketException or CryptographicException or OperationCanceledException)
        {
            if (_abort.IsCancellationRequested)
            {
                // The connection is being cut (shutdown, node stop, idle): RunAsync logs that reason instead.
                throw new OperationCanceledException("The connection was aborted during the TLS handshake.", e, _abort.Token);
            }

            throw new TlsHandshakeException(timeout.IsCancellationRequested
                ? $"the client did not finish the handshake within {_security.HandshakeTimeout.TotalSeconds:0.###} s"
                : Describe(e));
        }

        _tlsPrincipal = tls.RemoteCertificate is { } certificate ? KafkaPrincipal.FromCertificate(certificate) : null;
        SecurityLogging.TlsEstablished(_logger, Id, Remote, tls.SslProtocol, tls.NegotiatedCipherSuite, _tlsPrincipal ?? KafkaPrincipal.Anonymous);
    }

    /// <summary>The chain of messages: SslStream's outer one says little, OpenSSL's inner one says what went wrong.</summary>
    private static string Describe(Exception e)
    {
        var messages = new List<string>();
        for (var current = e; current is not null; current = current.InnerException)
        {
            messages.Add(current.Message);
        }

        return string.Join(" -> ", messages.Distinct(StringComparer.Ordinal));
    }

    /// <summary>The TLS handshake failed or timed out.</summary>
    private sealed class TlsHandshakeException(string message) : Exception(message);
}
