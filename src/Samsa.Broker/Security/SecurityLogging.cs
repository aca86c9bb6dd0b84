using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace Samsa.Broker.Security;

/// <summary>Log messages of listener security. Event ids 6000-6999.</summary>
internal static partial class SecurityLogging
{
    [LoggerMessage(6000, LogLevel.Information, "Connection {ConnectionId} from {Remote}: TLS handshake failed: {Detail}")]
    public static partial void TlsHandshakeFailed(ILogger logger, long connectionId, EndPoint? remote, string detail);

    [LoggerMessage(6001, LogLevel.Debug, "Connection {ConnectionId} from {Remote}: {Protocol} with {CipherSuite}, client {Principal}")]
    public static partial void TlsEstablished(ILogger logger, long connectionId, EndPoint? remote, SslProtocols protocol, TlsCipherSuite cipherSuite, string principal);

    [LoggerMessage(6002, LogLevel.Debug, "Connection {ConnectionId} from {Remote}: authenticated as {Principal} with {Mechanism}")]
    public static partial void SaslAuthenticated(ILogger logger, long connectionId, EndPoint? remote, string? principal, string? mechanism);

    [LoggerMessage(6003, LogLevel.Information, "Connection {ConnectionId} from {Remote}: SASL {Mechanism} authentication of '{User}' failed: {Reason}")]
    public static partial void SaslFailed(ILogger logger, long connectionId, EndPoint? remote, string? mechanism, string? user, string? reason);
}
