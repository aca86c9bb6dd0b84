using Samsa.Broker.Cluster;
using Samsa.Broker.Replication;
using Samsa.Protocol;
using Samsa.Protocol.Messages.Internal;

namespace Samsa.Broker.Groups;

/// <summary>
/// Group state in <c>__consumer_offsets</c>: appends the records groups write (one magic-2 batch
/// per write, acks=all) and replays a partition into the groups it holds.
/// </summary>
internal sealed partial class OffsetStore(ClusterState cluster)
{
    /// <summary>Appends <paramref name="records"/> as one batch on <paramref name="nodeId"/>, which must lead the partition.</summary>
    public ErrorCode Append(int partitionIndex, int nodeId, IReadOnlyList<GroupRecord> records, long timestamp)
    {
        if (!cluster.TryGetTopic(GroupCoordinator.OffsetsTopicName, out var topic) || !topic.TryGetPartition(partitionIndex, out var partition))
        {
            return ErrorCode.UnknownTopicOrPartition;
        }

        var batch = EncodeBatch(records, timestamp);
        try
        {
            return partition.Append(nodeId, batch, acks: -1).Error;
        }
        catch (ObjectDisposedException)
        {
            // The node stopped under us.
            return ErrorCode.NotLeaderOrFollower;
        }
    }

    /// <summary>
    /// Reads the partition from its log start to its high watermark on <paramref name="leader"/> and
    /// folds it into the last word on each group and offset: a later record replaces an earlier one,
    /// a tombstone deletes. Transactional offset commits count once their commit marker is read.
    /// </summary>
    public static Dictionary<string, ReplayedGroup> Replay(Partition partition, int leader)
    {
        var groups = new Dictionary<string, ReplayedGroup>(StringComparer.Ordinal);
        var pendingTransactions = new Dictionary<long, List<(GroupRecordKey Key, byte[]? Value)>>();
        var offset = partition.LogStartOffset;
        while (true)
        {
            var read = partition.Read(leader, offset, 1 << 20);
            if (read.Error != ErrorCode.None)
            {
                throw new InvalidOperationException($"Reading {GroupCoordinator.OffsetsTopicName}-{partition.Index} at {offset} on node {leader} failed: {read.Error}.");
            }

            using var data = read.Data;
            if (data.Records.IsEmpty)
            {
                break;
            }

            var next = offset;
            foreach (var batch in DecodeBatches(data.Records))
            {
                next = Math.Max(next, batch.LastOffset + 1);
                if (batch.IsControl)
                {
                    if (pendingTransactions.Remove(batch.ProducerId, out var staged) && batch.IsCommitMarker)
                    {
                        foreach (var (key, value) in staged)
                        {
                            Apply(groups, key, value);
                        }
                    }

                    continue;
                }

                foreach (var (keyBytes, value) in batch.Records)
                {
                    if (keyBytes is null)
                    {
                        continue;
                    }

                    var key = GroupRecords.ReadKey(keyBytes);
                    if (key.Kind == GroupRecordKind.Other)
                    {
                        continue;
                    }

                    if (batch.IsTransactional)
                    {
                        if (!pendingTransactions.TryGetValue(batch.ProducerId, out var staged))
                        {
                            pendingTransactions[batch.ProducerId] = staged = [];
                        }

                        staged.Add((key, value));
                    }
                    else
                    {
                        Apply(groups, key, value);
                    }
                }
            }

            if (next <= offset || next >= read.HighWatermark)
            {
                break;
            }

            offset = next;
        }

        foreach (var empty in groups.Where(kv => kv.Value.Metadata is null && kv.Value.Offsets.Count == 0 && !kv.Value.ConsumerProtocol.Exists).Select(kv => kv.Key).ToList())
        {
            groups.Remove(empty);
        }

        return groups;
    }

    private static void Apply(Dictionary<string, ReplayedGroup> groups, GroupRecordKey key, byte[]? value)
    {
        if (!groups.TryGetValue(key.Group, out var group))
        {
            groups[key.Group] = group = new ReplayedGroup();
        }

        if (key.Kind == GroupRecordKind.Offset)
        {
            var partition = new TopicPartitionKey(key.Topic, key.Partition);
            if (value is null)
            {
                group.Offsets.Remove(partition);
            }
            else
            {
                group.Offsets[partition] = GroupRecords.ReadOffsetValue(value);
            }
        }
        else if (key.Kind == GroupRecordKind.ConsumerProtocol)
        {
            group.ConsumerProtocol.Apply(key.KeyVersion, key.MemberId, value);
        }
        else
        {
            group.Metadata = value is null ? null : GroupRecords.ReadGroupValue(value);
        }
    }
}

/// <summary>What a replay found for one group.</summary>
internal sealed class ReplayedGroup
{
    public GroupMetadataValue? Metadata { get; set; }

    public Dictionary<TopicPartitionKey, CommittedOffset> Offsets { get; } = [];

    /// <summary>The group's consumer-protocol (KIP-848) records, when it is such a group.</summary>
    public ReplayedConsumerProtocolGroup ConsumerProtocol { get; } = new();
}

/// <summary>One decoded batch of <c>__consumer_offsets</c>, as replay needs it.</summary>
internal sealed record DecodedGroupBatch(
    long LastOffset,
    long ProducerId,
    bool IsTransactional,
    bool IsControl,
    bool IsCommitMarker,
    IReadOnlyList<(byte[]? Key, byte[]? Value)> Records);
