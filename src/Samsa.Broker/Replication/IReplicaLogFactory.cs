using Samsa.Broker.Cluster;

namespace Samsa.Broker.Replication;

/// <summary>Opens and deletes the logs each node keeps for the partitions it replicates.</summary>
internal interface IReplicaLogFactory : IDisposable
{
    /// <summary>True when logs survive a restart (on disk): a stopped node's logs are then closed and recovered at start.</summary>
    bool IsDurable { get; }

    IReplicaLog Open(int nodeId, string topic, int partition, TopicConfig config);

    void Delete(int nodeId, string topic, int partition);
}
