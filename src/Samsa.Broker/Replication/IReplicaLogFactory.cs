using Samsa.Broker.Storage;

namespace Samsa.Broker.Replication;

/// <summary>Opens and deletes the logs each node keeps for the partitions it replicates.</summary>
internal interface IReplicaLogFactory : IDisposable
{
    /// <summary>True when logs survive a restart (on disk): a stopped node's logs are then closed and recovered at start.</summary>
    bool IsDurable { get; }

    /// <summary>The node's log of the partition, opened (and recovered) on first use.</summary>
    PartitionLog Open(int nodeId, string topic, int partition, LogConfig config);

    /// <summary>Closes the node's log of the partition cleanly (flushed, clean-shutdown marker); its data stays.</summary>
    void Close(int nodeId, string topic, int partition);

    void Delete(int nodeId, string topic, int partition);
}
