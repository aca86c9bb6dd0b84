using Samsa.Broker.Cluster;
using Samsa.Broker.Coordination;

namespace Samsa.Broker.Groups;

/// <summary>
/// The group side of shard loading (the lifecycle itself is <see cref="CoordinatorShards{TItem}"/>): a new
/// leader of a <c>__consumer_offsets</c> partition reads every record from the log start to the high
/// watermark back (later records win, tombstones delete) and rebuilds the groups before the partition
/// answers requests; the groups a node no longer leads are closed.
/// </summary>
internal sealed partial class GroupCoordinator : IShardContentLoader<ConsumerGroup>
{
    /// <summary>
    /// Creates <c>__consumer_offsets</c> when it does not exist (compacted; partitions and replication from
    /// the options, replication capped at the live nodes) and starts loading each partition on its leader.
    /// Returns the loads started.
    /// </summary>
    private List<Task> EnsureOffsetsTopic(out TopicState? topic) =>
        _shards.EnsureTopic(_cluster, _cluster.Options.OffsetsTopicPartitions, _cluster.Options.OffsetsTopicReplicationFactor, create: true, out topic);

    ShardContent<ConsumerGroup> IShardContentLoader<ConsumerGroup>.Load(CoordinatorShard<ConsumerGroup> shard, int leader)
    {
        var replayed = OffsetStore.Replay(shard.Partition, leader);
        var sink = new PartitionSink(_store, shard.Index, leader);
        var groups = replayed.ToDictionary(
            kv => kv.Key,
            kv =>
            {
                var group = ConsumerGroup.Restore(kv.Key, kv.Value.Metadata, kv.Value.Offsets, _settings, sink, _time, _logger);
                group.RestoreConsumerProtocol(kv.Value.ConsumerProtocol);
                return group;
            },
            StringComparer.Ordinal);
        return new ShardContent<ConsumerGroup>(groups, replayed.Values.Sum(g => g.Offsets.Count));
    }

    void IShardContentLoader<ConsumerGroup>.Loaded(CoordinatorShard<ConsumerGroup> shard, ShardContent<ConsumerGroup> content, int leader, long elapsedMs) =>
        GroupLogging.PartitionLoaded(_logger, shard.Index, content.Items.Count, content.RecordCount, leader, elapsedMs);

    void IShardContentLoader<ConsumerGroup>.Unload(int partition, IReadOnlyCollection<ConsumerGroup> items, int previousOwner)
    {
        if (previousOwner >= 0)
        {
            GroupLogging.PartitionUnloaded(_logger, partition, items.Count, previousOwner);
        }

        foreach (var group in items)
        {
            _ = group.CloseAsync();
        }
    }
}
