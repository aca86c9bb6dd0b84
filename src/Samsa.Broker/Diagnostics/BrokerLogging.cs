using System.Net;
using Microsoft.Extensions.Logging;
using Samsa.Broker.Network;
using Samsa.Protocol;

namespace Samsa.Broker.Diagnostics;

/// <summary>
/// Log messages of the broker outside storage. Event ids: 1000-1999 network, 2000-2999 request
/// handling, 4000-4999 cluster (3000-3999 belong to storage).
/// </summary>
internal static partial class BrokerLogging
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

    [LoggerMessage(4000, LogLevel.Information, "Created topic {Topic} ({TopicId}) with {Partitions} partition(s), replication factor {ReplicationFactor}")]
    public static partial void TopicCreated(ILogger logger, string topic, Guid topicId, int partitions, int replicationFactor);

    [LoggerMessage(4001, LogLevel.Information, "Deleted topic {Topic} ({TopicId})")]
    public static partial void TopicDeleted(ILogger logger, string topic, Guid topicId);

    [LoggerMessage(4002, LogLevel.Information, "Node {NodeId} stopped")]
    public static partial void NodeStopped(ILogger logger, int nodeId);

    [LoggerMessage(4003, LogLevel.Information, "Node {NodeId} started")]
    public static partial void NodeStarted(ILogger logger, int nodeId);

    [LoggerMessage(4004, LogLevel.Information, "{Topic}-{Partition}: leader moved from {OldLeader} to {NewLeader} at epoch {LeaderEpoch}")]
    public static partial void LeaderMoved(ILogger logger, string topic, int partition, int oldLeader, int newLeader, int leaderEpoch);

    [LoggerMessage(4005, LogLevel.Information, "Added {Count} partition(s) to topic {Topic}")]
    public static partial void PartitionsAdded(ILogger logger, string topic, int count);

    [LoggerMessage(4006, LogLevel.Information, "Altered configs of topic {Topic}: {Changes}")]
    public static partial void TopicConfigsAltered(ILogger logger, string topic, string changes);

    [LoggerMessage(4007, LogLevel.Information, "Set dynamic configs of broker {Broker}: {Configs}")]
    public static partial void BrokerConfigsAltered(ILogger logger, string broker, string configs);
}
