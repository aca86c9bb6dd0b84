using System.Diagnostics;
using Samsa.Broker.Cluster;
using Samsa.Broker.Replication;
using Samsa.Protocol;

namespace Samsa.Broker.Transactions;

/// <summary>
/// Which node coordinates which <c>__transaction_state</c> partition, and the replay that makes a
/// new leader the coordinator of that partition's transactional ids: the last record of each id
/// is read back and the ids are rebuilt before the partition answers requests. Prepared
/// transactions then get their markers (as Kafka's coordinator does after a load); Ongoing ones
/// stay open until their producer ends them or their timeout aborts them.
/// </summary>
internal sealed partial class TransactionCoordinator
{
    /// <summary>
    /// Creates <c>__transaction_state</c> when it does not exist and <paramref name="create"/> (compacted,
    /// internal; partitions and replication from the options, replication capped at the live nodes)
    /// and starts loading each partition on its leader. Returns the loads started.
    /// </summary>
    private List<Task> EnsureStateTopic(bool create, out TopicState? topic)
    {
        lock (_lock)
        {
            if (_topic is { IsDeleted: false } current)
            {
                topic = current;
                return [];
            }
        }

        if (!_cluster.TryGetTopic(StateTopicName, out topic))
        {
            if (!create)
            {
                topic = null;
                return [];
            }

            var factor = (short)Math.Max(1, Math.Min(_settings.StateTopicReplicationFactor, _cluster.AliveNodeCount));
            var outcome = _cluster.CreateTopic(
                StateTopicName,
                _settings.StateTopicPartitions,
                factor,
                null,
                new Dictionary<string, string?>
                {
                    [TopicConfigDefinitions.CleanupPolicy] = "compact",

                    // Kafka's transaction.state.log.segment.bytes default: small enough that segments roll and get compacted.
                    [TopicConfigDefinitions.SegmentBytes] = "104857600",
                },
                validateOnly: false,
                isInternal: true);
            if (outcome.Topic is null && !_cluster.TryGetTopic(StateTopicName, out topic))
            {
                TransactionCoordinatorLog.StateTopicNotCreated(_logger, outcome.Error, outcome.Message);
                return [];
            }

            topic ??= outcome.Topic!;
        }

        List<TransactionMetadata> closing = [];
        lock (_lock)
        {
            if (_disposed || _topic == topic)
            {
                return [];
            }

            // A new topic (first use, or recreated): start from scratch.
            closing.AddRange(_shards.SelectMany(s => s.Transactions.Values));
            _topic = topic;
            _shards = topic.Partitions.Select(p => new TransactionShard(p)).ToArray();
        }

        foreach (var metadata in closing)
        {
            metadata.Closed = true;
        }

        var loads = new List<Task>();
        foreach (var partition in topic.Partitions)
        {
            if (Reassign(partition) is { } load)
            {
                loads.Add(load);
            }
        }

        return loads;
    }

    /// <summary>Leadership of a partition moved (a node stopped or started): when it is ours, hand its ids to the new leader.</summary>
    private void OnLeaderChanged(Partition partition)
    {
        if (partition.Topic.Name == StateTopicName && partition.Topic == _topic)
        {
            _ = Reassign(partition);
        }
    }

    /// <summary>Closes the ids of the previous owner and loads them on the current leader; null when nothing changed.</summary>
    private Task? Reassign(Partition partition)
    {
        var leader = partition.Leadership.LeaderId;
        TransactionShard shard;
        List<TransactionMetadata> unloaded;
        int generation;
        int previousOwner;
        lock (_lock)
        {
            if (_disposed || partition.Index >= _shards.Length || _shards[partition.Index].Partition != partition)
            {
                return null;
            }

            shard = _shards[partition.Index];
            if (shard.Owner == leader && shard.Status is TransactionShardStatus.Loading or TransactionShardStatus.Loaded)
            {
                return null;
            }

            previousOwner = shard.Owner;
            unloaded = [.. shard.Transactions.Values];
            shard.Transactions.Clear();
            shard.Owner = leader;
            shard.Status = leader >= 0 ? TransactionShardStatus.Loading : TransactionShardStatus.Unloaded;
            generation = ++shard.Generation;
        }

        foreach (var metadata in unloaded)
        {
            metadata.Closed = true;
        }

        if (previousOwner >= 0)
        {
            TransactionCoordinatorLog.PartitionUnloaded(_logger, partition.Index, unloaded.Count, previousOwner);
        }

        if (leader < 0)
        {
            return null;
        }

        // An empty partition (the topic was just created) loads at once, so the first request does not wait.
        if (partition.LogEndOffset <= partition.LogStartOffset)
        {
            Load(partition, shard, leader, generation, attempt: 1);
            return Task.CompletedTask;
        }

        return Task.Run(() => Load(partition, shard, leader, generation, attempt: 1));
    }

    private void Load(Partition partition, TransactionShard shard, int leader, int generation, int attempt)
    {
        var clock = Stopwatch.StartNew();
        Dictionary<string, TransactionSnapshot> replayed;
        try
        {
            replayed = TransactionRecords.Replay(partition, leader);
        }
        catch (Exception e)
        {
            // Whatever went wrong, the shard must not stay "loading": it fails visibly and tries again.
            TransactionCoordinatorLog.LoadFailed(_logger, e, partition.Index, leader, attempt);
            bool retry;
            lock (_lock)
            {
                retry = shard.Generation == generation && !_disposed;
                if (retry)
                {
                    shard.Status = TransactionShardStatus.Failed;
                }
            }

            if (retry)
            {
                CoordinatorLoadRetry.Schedule(_time, attempt, () => Reload(partition, shard, leader, generation, attempt + 1));
            }

            return;
        }

        var loaded = new List<TransactionMetadata>();
        int coordinatorEpoch;
        lock (_lock)
        {
            if (shard.Generation != generation || _disposed)
            {
                // Leadership moved again while we read: these ids belong to nobody.
                return;
            }

            coordinatorEpoch = partition.Leadership.LeaderEpoch;
            shard.CoordinatorEpoch = coordinatorEpoch;
            foreach (var (id, snapshot) in replayed)
            {
                var metadata = new TransactionMetadata(snapshot, shard);
                shard.Transactions[id] = metadata;
                loaded.Add(metadata);
            }

            shard.Status = TransactionShardStatus.Loaded;
        }

        TransactionCoordinatorLog.PartitionLoaded(_logger, partition.Index, loaded.Count, leader, coordinatorEpoch, clock.ElapsedMilliseconds);
        foreach (var metadata in loaded)
        {
            if (TransactionStates.IsPreparing(metadata.Current.State))
            {
                _ = CompleteAsync(metadata);
            }
        }
    }

    /// <summary>Tries a failed load again, unless leadership moved on (a newer load owns the shard) or the coordinator stopped.</summary>
    private void Reload(Partition partition, TransactionShard shard, int leader, int generation, int attempt)
    {
        lock (_lock)
        {
            if (shard.Generation != generation || _disposed || shard.Status != TransactionShardStatus.Failed)
            {
                return;
            }

            shard.Status = TransactionShardStatus.Loading;
        }

        Load(partition, shard, leader, generation, attempt);
    }
}
