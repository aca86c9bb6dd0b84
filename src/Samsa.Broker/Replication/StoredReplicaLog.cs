using Samsa.Broker.Cluster;
using Samsa.Broker.Storage;

namespace Samsa.Broker.Replication;

/// <summary>One replica's log on a node: a <see cref="PartitionLog"/> opened through that node's <see cref="LogManager"/>.</summary>
internal sealed class StoredReplicaLog(LogManager manager, string topic, int partition, PartitionLog log) : IReplicaLog
{
    public long LogStartOffset => log.LogStartOffset;

    public long LogEndOffset => log.LogEndOffset;

    public long SizeInBytes => log.SizeInBytes;

    public (long Offset, long Timestamp) MaxTimestamp => log.MaxTimestamp;

    public (long FirstOffset, long LastOffset) Append(Span<byte> batches)
    {
        var info = log.Append(batches);
        return (info.FirstOffset, info.LastOffset);
    }

    public void AppendWithOffsets(ReadOnlySpan<byte> batches) => log.AppendWithOffsets(batches);

    public LogReadResult Read(long offset, int maxBytes, long maxOffsetExclusive) => log.Read(offset, maxBytes, maxOffsetExclusive);

    public void Truncate(long offset) => log.Truncate(offset);

    public void DeleteRecordsBefore(long offset) => log.DeleteRecordsBefore(offset);

    public (long Offset, long Timestamp)? FindOffsetForTimestamp(long timestamp) => log.FindOffsetForTimestamp(timestamp);

    public void Flush() => log.Flush();

    public void FlushIfDue() => log.FlushIfDue();

    public void Configure(TopicConfig config) => log.Config = ReplicaLogFactory.ToLogConfig(config);

    public void EnforceRetention(long highWatermark) => log.EnforceRetention(highWatermark);

    public CompactionResult Compact(long maxOffsetExclusive, Func<long, long, bool> isAborted) => log.Compact(maxOffsetExclusive, isAborted);

    /// <summary>Closes the log cleanly (flushed, clean-shutdown marker); its data stays.</summary>
    public void Dispose() => manager.Close(topic, partition);
}
