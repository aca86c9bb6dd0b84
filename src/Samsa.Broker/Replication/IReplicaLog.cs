using Samsa.Broker.Cluster;

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

    /// <summary>Whole batches from the one containing <paramref name="offset"/>, up to <paramref name="maxBytes"/> (the first batch always), none at or past <paramref name="maxOffsetExclusive"/>.</summary>
    LogReadResult Read(long offset, int maxBytes, long maxOffsetExclusive);

    /// <summary>Removes every record at or after <paramref name="offset"/>.</summary>
    void Truncate(long offset);

    /// <summary>Moves the log start offset up to <paramref name="offset"/>.</summary>
    void DeleteRecordsBefore(long offset);

    /// <summary>The first offset whose timestamp is at least <paramref name="timestamp"/>, or null when none is.</summary>
    long? FindOffsetForTimestamp(long timestamp);

    void Flush();

    /// <summary>Takes new retention, segment and flush settings.</summary>
    void Configure(TopicConfig config);

    /// <summary>Deletes old segments past retention; returns true when anything was deleted.</summary>
    bool EnforceRetention();
}

/// <summary>Batches read from a log; dispose releases pooled buffers.</summary>
internal sealed class LogReadResult(ReadOnlyMemory<byte> records, IDisposable? owner) : IDisposable
{
    public static readonly LogReadResult Empty = new(ReadOnlyMemory<byte>.Empty, null);

    public ReadOnlyMemory<byte> Records { get; } = records;

    public void Dispose() => owner?.Dispose();
}
