using Microsoft.Extensions.Logging;

namespace Samsa.Broker.Diagnostics;

/// <summary>
/// Log messages of the cluster: topics, partitions' leaders, nodes and configs. Event ids 4000-4999
/// (1000-2999 belong to the network, in NetworkLogging; 3000-3999 to storage).
/// </summary>
internal static partial class BrokerLogging
{
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
