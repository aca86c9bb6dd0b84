using System.Diagnostics;
using Samsa.Broker.Cluster;
using Samsa.Broker.Replication;
using Samsa.Protocol;

namespace Samsa.Broker.Groups;

/// <summary>
/// Which node coordinates which <c>__consumer_offsets</c> partition, and the replay that makes a
/// new leader the coordinator of that partition's groups: every record from the log start to the
/// high watermark is read back (later records win, tombstones delete) and the groups are rebuilt
/// before the partition answers requests. The groups a node no longer leads are closed.
/// </summary>
internal sealed partial class GroupCoordinator
{
    /// <summary>
    /// Creates <c>__consumer_offsets</c> when it does not exist (compacted; partitions and
    /// replication from the options, replication capped at the live nodes) and starts loading each
    /// partition on its leader. Returns the loads started.
    /// </summary>
    private List<Task> EnsureOffsetsTopic(out TopicState? topic)
    {
        lock (_lock)
        {
            if (_topic is { IsDeleted: false } current)
            {
                topic = current;
                return [];
            }
        }

        if (!_cluster.TryGetTopic(OffsetsTopicName, out topic))
        {
            var options = _cluster.Options;
            var factor = (short)Math.Max(1, Math.Min(options.OffsetsTopicReplicationFactor, _cluster.AliveNodeCount));
            var outcome = _cluster.CreateTopic(
                OffsetsTopicName,
                options.OffsetsTopicPartitions,
                factor,
                null,
                new Dictionary<string, string?>
                {
                    [TopicConfigDefinitions.CleanupPolicy] = "compact",

                    // Kafka's offsets.topic.segment.bytes default: small enough that segments roll and get compacted.
                    [TopicConfigDefinitions.SegmentBytes] = "104857600",
                },
                validateOnly: false,
                isInternal: true);
            if (outcome.Topic is null && !_cluster.TryGetTopic(OffsetsTopicName, out topic))
            {
                GroupLog.OffsetsTopicNotCreated(_logger, outcome.Error, outcome.Message);
                return [];
            }

            topic ??= outcome.Topic!;
        }

        var loads = new List<Task>();
        List<ConsumerGroup> closing = [];
        lock (_lock)
        {
            if (_disposed || _topic == topic)
            {
                return [];
            }

            // A new topic (first use, or recreated): start from scratch.
            closing.AddRange(_shards.SelectMany(s => s.Groups.Values));
            _topic = topic;
            _shards = topic.Partitions.Select(p => new OffsetsShard(p.Index)).ToArray();
        }

        CloseAll(closing);
        foreach (var partition in topic.Partitions)
        {
            if (Reassign(partition) is { } load)
            {
                loads.Add(load);
            }
        }

        return loads;
    }

    /// <summary>Leadership of a partition moved (a node stopped or started): when it is ours, hand its groups to the new leader.</summary>
    private void OnLeaderChanged(Partition partition)
    {
        if (partition.Topic.Name == OffsetsTopicName && partition.Topic == _topic)
        {
            _ = Reassign(partition);
        }
    }

    /// <summary>Closes the groups of the previous owner and starts loading on the current leader; null when nothing changed.</summary>
    private Task? Reassign(Partition partition)
    {
        var leader = partition.Leadership.LeaderId;
        OffsetsShard shard;
        List<ConsumerGroup> unloaded;
        int epoch;
        int previousOwner;
        lock (_lock)
        {
            if (_disposed || partition.Index >= _shards.Length)
            {
                return null;
            }

            shard = _shards[partition.Index];
            if (shard.Owner == leader && shard.Status is ShardStatus.Loading or ShardStatus.Loaded)
            {
                return null;
            }

            previousOwner = shard.Owner;
            unloaded = [.. shard.Groups.Values];
            shard.Groups.Clear();
            shard.Owner = leader;
            shard.Status = leader >= 0 ? ShardStatus.Loading : ShardStatus.Unloaded;
            epoch = ++shard.Epoch;
        }

        if (previousOwner >= 0)
        {
            GroupLog.PartitionUnloaded(_logger, partition.Index, unloaded.Count, previousOwner);
        }

        CloseAll(unloaded);
        return leader >= 0 ? Task.Run(() => Load(partition, shard, leader, epoch, attempt: 1)) : null;
    }

    private void Load(Partition partition, OffsetsShard shard, int leader, int epoch, int attempt)
    {
        var clock = Stopwatch.StartNew();
        Dictionary<string, ConsumerGroup> groups;
        int offsetCount;
        try
        {
            var replayed = OffsetStore.Replay(partition, leader);
            offsetCount = replayed.Values.Sum(g => g.Offsets.Count);
            var sink = new PartitionSink(_store, partition.Index, leader);
            groups = replayed.ToDictionary(
                kv => kv.Key,
                kv =>
                {
                    var group = ConsumerGroup.Restore(kv.Key, kv.Value.Metadata, kv.Value.Offsets, _settings, sink, _time, _logger);
                    group.RestoreConsumerProtocol(kv.Value.ConsumerProtocol);
                    return group;
                },
                StringComparer.Ordinal);
        }
        catch (Exception e)
        {
            // Whatever went wrong, the shard must not stay "loading": it fails visibly and tries again.
            GroupLog.LoadFailed(_logger, e, partition.Index, leader, attempt);
            bool retry;
            lock (_lock)
            {
                retry = shard.Epoch == epoch && !_disposed;
                if (retry)
                {
                    shard.Status = ShardStatus.Failed;
                }
            }

            if (retry)
            {
                CoordinatorLoadRetry.Schedule(_time, attempt, () => Reload(partition, shard, leader, epoch, attempt + 1));
            }

            return;
        }

        var groupCount = groups.Count;
        lock (_lock)
        {
            if (shard.Epoch == epoch && !_disposed)
            {
                foreach (var (id, group) in groups)
                {
                    shard.Groups[id] = group;
                }

                shard.Status = ShardStatus.Loaded;
                groups.Clear();
            }
        }

        // Leadership moved again while we read: these groups belong to nobody.
        CloseAll(groups.Values);
        GroupLog.PartitionLoaded(_logger, partition.Index, groupCount, offsetCount, leader, clock.ElapsedMilliseconds);
    }

    /// <summary>Tries a failed load again, unless leadership moved on (a newer load owns the shard) or the coordinator stopped.</summary>
    private void Reload(Partition partition, OffsetsShard shard, int leader, int epoch, int attempt)
    {
        lock (_lock)
        {
            if (shard.Epoch != epoch || _disposed || shard.Status != ShardStatus.Failed)
            {
                return;
            }

            shard.Status = ShardStatus.Loading;
        }

        Load(partition, shard, leader, epoch, attempt);
    }

    private static void CloseAll(IEnumerable<ConsumerGroup> groups)
    {
        foreach (var group in groups)
        {
            _ = group.CloseAsync();
        }
    }

    private enum ShardStatus
    {
        Unloaded,
        Loading,
        Loaded,
        Failed,
    }

    /// <summary>One <c>__consumer_offsets</c> partition: the node coordinating its groups, and the groups. Guarded by the coordinator's lock.</summary>
    private sealed class OffsetsShard(int index)
    {
        public int Index { get; } = index;

        public int Owner { get; set; } = -1;

        public ShardStatus Status { get; set; } = ShardStatus.Unloaded;

        /// <summary>Bumped at every reassignment, so a load that finishes late does not publish stale groups.</summary>
        public int Epoch { get; set; }

        public Dictionary<string, ConsumerGroup> Groups { get; } = new(StringComparer.Ordinal);
    }
}
