using System.Buffers;
using System.Collections.Immutable;
using Samsa.Broker.Groups;
using Samsa.Broker.Replication;
using Samsa.Protocol;
using Samsa.Protocol.Messages.Internal;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Transactions;

/// <summary>
/// The records of <c>__transaction_state</c>, in Kafka's formats (TransactionLogKey v0 keyed by
/// transactional id, TransactionLogValue v0), so tools that read the topic understand them: one
/// record per state change, the last one per key wins, a null value deletes the id. Also the replay
/// that folds a partition back into the last state of each id.
/// </summary>
internal static class TransactionRecords
{
    public const short KeyVersion = 0;

    /// <summary>Version 0 is what Kafka writes for clients without KIP-890's transaction version 2.</summary>
    public const short ValueVersion = 0;

    private const int ReplayReadBytes = 1 << 20;

    public static byte[] Key(string transactionalId) => Encode(new TransactionLogKey { TransactionalId = transactionalId }, KeyVersion);

    public static byte[] Value(TransactionSnapshot snapshot)
    {
        var value = new TransactionLogValue
        {
            ProducerId = snapshot.ProducerId,
            ProducerEpoch = snapshot.ProducerEpoch,
            TransactionTimeoutMs = snapshot.TimeoutMs,
            TransactionStatus = (sbyte)snapshot.State,
            TransactionLastUpdateTimestampMs = snapshot.LastUpdateTimestamp,
            TransactionStartTimestampMs = snapshot.StartTimestamp,
            TransactionPartitions = snapshot.State == TransactionState.Empty
                ? null
                : snapshot.Partitions
                    .GroupBy(p => p.Topic, StringComparer.Ordinal)
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => new TransactionLogValue.PartitionsSchema { Topic = g.Key, PartitionIds = g.Select(p => p.Partition).Order().ToList() })
                    .ToList(),
        };
        return Encode(value, ValueVersion);
    }

    /// <summary>The transactional id a key names; null for key versions this broker does not know.</summary>
    public static string? ReadKey(ReadOnlySpan<byte> key)
    {
        var reader = new KafkaReader(key);
        var version = reader.ReadInt16();
        if (version != KeyVersion)
        {
            return null;
        }

        var decoded = new TransactionLogKey();
        decoded.Read(ref reader, version);
        return decoded.TransactionalId;
    }

    public static TransactionSnapshot ReadValue(string transactionalId, ReadOnlySpan<byte> value)
    {
        var reader = new KafkaReader(value);
        var version = reader.ReadInt16();
        var decoded = new TransactionLogValue();
        decoded.Read(ref reader, version);
        var partitions = (decoded.TransactionPartitions ?? [])
            .SelectMany(t => t.PartitionIds.Select(p => new TopicPartitionKey(t.Topic, p)))
            .ToImmutableHashSet();
        return new TransactionSnapshot(
            transactionalId,
            decoded.ProducerId,
            decoded.PreviousProducerId,
            decoded.ProducerEpoch,
            TransactionSnapshot.NoEpoch,
            decoded.TransactionTimeoutMs,
            (TransactionState)decoded.TransactionStatus,
            partitions,
            decoded.TransactionStartTimestampMs,
            decoded.TransactionLastUpdateTimestampMs);
    }

    /// <summary>One uncompressed batch holding the record of <paramref name="snapshot"/> (a tombstone when null).</summary>
    public static byte[] EncodeBatch(string transactionalId, TransactionSnapshot? snapshot, long timestamp)
    {
        using var builder = new RecordBatchBuilder(CompressionType.None, initialCapacity: 256);
        var value = snapshot is null ? (ReadOnlyMemory<byte>?)null : Value(snapshot);
        builder.Append(timestamp, Key(transactionalId), value);
        return builder.ToArray();
    }

    /// <summary>
    /// Reads the partition from its log start to its high watermark on <paramref name="leader"/> and
    /// keeps the last state of each transactional id.
    /// </summary>
    public static Dictionary<string, TransactionSnapshot> Replay(Partition partition, int leader)
    {
        var result = new Dictionary<string, TransactionSnapshot>(StringComparer.Ordinal);
        var offset = partition.LogStartOffset;
        while (true)
        {
            var read = partition.Read(leader, offset, ReplayReadBytes);
            if (read.Error != ErrorCode.None)
            {
                throw new InvalidOperationException($"Reading {TransactionCoordinator.StateTopicName}-{partition.Index} at {offset} on node {leader} failed: {read.Error}.");
            }

            using var data = read.Data;
            if (data.Records.IsEmpty)
            {
                break;
            }

            var next = offset;
            var reader = new RecordBatchReader(data.Records);
            while (reader.TryReadNext(out var batch))
            {
                next = Math.Max(next, batch.Header.LastOffset + 1);
                if (batch.Header.IsControl)
                {
                    continue;
                }

                foreach (var record in batch.ReadRecords())
                {
                    if (record.Key is not { } key || ReadKey(key.Span) is not { } transactionalId)
                    {
                        continue;
                    }

                    if (record.Value is { } value)
                    {
                        result[transactionalId] = ReadValue(transactionalId, value.Span);
                    }
                    else
                    {
                        result.Remove(transactionalId);
                    }
                }
            }

            if (next <= offset || next >= read.HighWatermark)
            {
                break;
            }

            offset = next;
        }

        return result;
    }

    private static byte[] Encode(IKafkaMessage message, short version)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new KafkaWriter(buffer);
        writer.WriteInt16(version);
        message.Write(ref writer, version);
        return buffer.WrittenSpan.ToArray();
    }
}
