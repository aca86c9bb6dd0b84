using System.Net;
using Microsoft.Extensions.Logging;
using Samsa.Protocol;

namespace Samsa.Broker.Network;

/// <summary>
/// Log messages of listeners and connections. Event ids: 1000-1999 network, 2000-2999 request
/// handling on a connection (3000-3999 belong to storage, 4000-4999 to the cluster).
/// </summary>
internal static partial class NetworkLogging
{
    [LoggerMessage(1000, LogLevel.Information, "Node {NodeId} listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, int nodeId, EndPoint endPoint);

    [LoggerMessage(1001, LogLevel.Debug, "Node {NodeId} accepted connection {ConnectionId} from {Remote}")]
    public static partial void ConnectionAccepted(ILogger logger, int nodeId, long connectionId, EndPoint? remote);

    [LoggerMessage(1002, LogLevel.Debug, "Connection {ConnectionId} from {Remote} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, long connectionId, EndPoint? remote, ConnectionEndReason reason);

    [LoggerMessage(1003, LogLevel.Warning, "Connection {ConnectionId} from {Remote} closed after bad input: {Detail}")]
    public static partial void ConnectionProtocolError(ILogger logger, long connectionId, EndPoint? remote, string detail);

    [LoggerMessage(1004, LogLevel.Error, "Connection {ConnectionId} from {Remote} closed: a {ApiKey} v{ApiVersion} request failed unexpectedly")]
    public static partial void RequestFailed(ILogger logger, Exception exception, long connectionId, EndPoint? remote, ApiKey apiKey, short apiVersion);

    [LoggerMessage(1005, LogLevel.Information, "Connection {ConnectionId} from {Remote} closed after {IdleSeconds} s idle")]
    public static partial void ConnectionIdle(ILogger logger, long connectionId, EndPoint? remote, double idleSeconds);

    [LoggerMessage(1006, LogLevel.Warning, "Node {NodeId} accept loop stopped unexpectedly")]
    public static partial void AcceptFailed(ILogger logger, Exception exception, int nodeId);

    [LoggerMessage(2000, LogLevel.Trace, "Connection {ConnectionId}: {ApiKey} v{ApiVersion} correlation {CorrelationId} from {ClientId}")]
    public static partial void RequestReceived(ILogger logger, long connectionId, ApiKey apiKey, short apiVersion, int correlationId, string? clientId);

    [LoggerMessage(2001, LogLevel.Information, "Connection {ConnectionId}: {ApiKey} version {ApiVersion} is not supported; answered UNSUPPORTED_VERSION")]
    public static partial void UnsupportedApiVersions(ILogger logger, long connectionId, ApiKey apiKey, short apiVersion);
}
