using Samsa.Broker.Cluster;
using Samsa.Broker.Storage;

namespace Samsa.Broker.Replication;

/// <summary>
/// What a partition needs from one replica's log. One appender at a time (the partition's lock);
/// reads may run concurrently with appends.
/// </summary>
internal interface IReplicaLog : IDisposable
{
    long LogStartOffset { get; }

    /// <summary>The offset the next appended record gets.</summary>
    long LogEndOffset { get; }

    /// <summary>Bytes kept, all segments.</summary>
    long SizeInBytes { get; }

    /// <summary>Offset and timestamp of the batch with the largest max timestamp; (-1, -1) when empty.</summary>
    (long Offset, long Timestamp) MaxTimestamp { get; }

    /// <summary>
    /// Appends whole, validated batches, rewriting their base offsets from <see cref="LogEndOffset"/> on.
    /// Returns the first and last offsets assigned.
    /// </summary>
    (long FirstOffset, long LastOffset) Append(Span<byte> batches);

    /// <summary>
    /// Appends batches copied from the leader's log with their offsets kept (compaction leaves gaps
    /// a follower must keep too); the first must start at or after <see cref="LogEndOffset"/>.
    /// </summary>
    void AppendWithOffsets(ReadOnlySpan<byte> batches);

    /// <summary>Whole batches from the one containing <paramref name="offset"/>, up to <paramref name="maxBytes"/> (the first batch always), none at or past <paramref name="maxOffsetExclusive"/>.</summary>
    LogReadResult Read(long offset, int maxBytes, long maxOffsetExclusive);

    /// <summary>Removes every record at or after <paramref name="offset"/>.</summary>
    void Truncate(long offset);

    /// <summary>Moves the log start offset up to <paramref name="offset"/>.</summary>
    void DeleteRecordsBefore(long offset);

    /// <summary>The first batch whose max timestamp is at least <paramref name="timestamp"/>: its base offset and max timestamp; null when none is.</summary>
    (long Offset, long Timestamp)? FindOffsetForTimestamp(long timestamp);

    void Flush();

    /// <summary>Flushes when the flush policy (flush.messages, flush.ms) says it is time.</summary>
    void FlushIfDue();

    /// <summary>Takes new retention, segment and flush settings.</summary>
    void Configure(TopicConfig config);

    /// <summary>Deletes old segments past retention, never at or above <paramref name="highWatermark"/>.</summary>
    void EnforceRetention(long highWatermark);

    /// <summary>
    /// Compacts closed segments below <paramref name="maxOffsetExclusive"/> when the topic is
    /// compacted and a pass is due; <paramref name="isAborted"/> (producer id, offset) names the
    /// records of aborted transactions.
    /// </summary>
    CompactionResult Compact(long maxOffsetExclusive, Func<long, long, bool> isAborted);
}
