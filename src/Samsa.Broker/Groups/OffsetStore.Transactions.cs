using Samsa.Broker.Replication;
using Samsa.Protocol;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Groups;

/// <summary>Transactional offset commits in <c>__consumer_offsets</c>.</summary>
internal sealed partial class OffsetStore
{
    /// <summary>
    /// Appends <paramref name="records"/> as one transactional batch of <paramref name="producerId"/>
    /// (as Kafka's group coordinator writes TxnOffsetCommit), to be committed or aborted by the
    /// producer's marker. Written as the coordinator: no producer sequence checks.
    /// </summary>
    public ErrorCode AppendTransactional(int partitionIndex, int nodeId, IReadOnlyList<GroupRecord> records, long timestamp, long producerId, short producerEpoch)
    {
        if (!cluster.TryGetTopic(GroupCoordinator.OffsetsTopicName, out var topic) || !topic.TryGetPartition(partitionIndex, out var partition))
        {
            return ErrorCode.UnknownTopicOrPartition;
        }

        using var builder = new RecordBatchBuilder(CompressionType.None, initialCapacity: 512)
        {
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
            IsTransactional = true,
        };
        foreach (var record in records)
        {
            builder.Append(timestamp, record.Key, record.Value);
        }

        var batch = builder.ToArray();
        try
        {
            return partition.Append(nodeId, batch, acks: -1, AppendOrigin.Coordinator).Error;
        }
        catch (ObjectDisposedException)
        {
            return ErrorCode.NotLeaderOrFollower;
        }
    }
}
