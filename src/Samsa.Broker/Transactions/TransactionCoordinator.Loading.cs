using Samsa.Broker.Cluster;
using Samsa.Broker.Coordination;

namespace Samsa.Broker.Transactions;

/// <summary>
/// The transaction side of shard loading (the lifecycle itself is <see cref="CoordinatorShards{TItem}"/>): a
/// new leader of a <c>__transaction_state</c> partition reads the last record of each transactional id back
/// and rebuilds the ids before the partition answers requests. Prepared transactions then get their markers
/// (as Kafka's coordinator does after a load); Ongoing ones stay open until their producer ends them or their
/// timeout aborts them.
/// </summary>
internal sealed partial class TransactionCoordinator : IShardContentLoader<TransactionMetadata>
{
    /// <summary>
    /// Creates <c>__transaction_state</c> when it does not exist and <paramref name="create"/> (compacted,
    /// internal; partitions and replication from the options, replication capped at the live nodes)
    /// and starts loading each partition on its leader. Returns the loads started.
    /// </summary>
    private List<Task> EnsureStateTopic(bool create, out TopicState? topic) =>
        _shards.EnsureTopic(_cluster, _settings.StateTopicPartitions, _settings.StateTopicReplicationFactor, create, out topic);

    ShardContent<TransactionMetadata> IShardContentLoader<TransactionMetadata>.Load(CoordinatorShard<TransactionMetadata> shard, int leader)
    {
        var replayed = TransactionRecords.Replay(shard.Partition, leader);
        var ids = replayed.ToDictionary(kv => kv.Key, kv => new TransactionMetadata(kv.Value, shard), StringComparer.Ordinal);
        return new ShardContent<TransactionMetadata>(ids, ids.Count);
    }

    void IShardContentLoader<TransactionMetadata>.Loaded(CoordinatorShard<TransactionMetadata> shard, ShardContent<TransactionMetadata> content, int leader, long elapsedMs)
    {
        TransactionCoordinatorLogging.PartitionLoaded(_logger, shard.Index, content.Items.Count, leader, shard.CoordinatorEpoch, elapsedMs);
        foreach (var metadata in content.Items.Values)
        {
            if (TransactionStates.IsPreparing(metadata.Current.State))
            {
                _ = CompleteAsync(metadata);
            }
        }
    }

    void IShardContentLoader<TransactionMetadata>.Unload(int partition, IReadOnlyCollection<TransactionMetadata> items, int previousOwner)
    {
        foreach (var metadata in items)
        {
            metadata.Closed = true;
        }

        if (previousOwner >= 0)
        {
            TransactionCoordinatorLogging.PartitionUnloaded(_logger, partition, items.Count, previousOwner);
        }
    }
}
