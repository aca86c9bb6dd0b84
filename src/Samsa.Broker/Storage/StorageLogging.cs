using Microsoft.Extensions.Logging;

namespace Samsa.Broker.Storage;

/// <summary>Log messages of partition log storage. Event ids 3000-3999.</summary>
internal static partial class StorageLogging
{
    [LoggerMessage(3000, LogLevel.Information, "Opened log {Log}: {SegmentCount} segment(s), offsets {LogStartOffset} to {LogEndOffset}, clean shutdown before: {CleanShutdown}")]
    public static partial void LogOpened(ILogger logger, string log, int segmentCount, long logStartOffset, long logEndOffset, bool cleanShutdown);

    [LoggerMessage(3001, LogLevel.Warning, "Log {Log}: segment {BaseOffset} truncated at position {Position}, dropping {Bytes} byte(s): {Problem}")]
    public static partial void TruncatedInvalidTail(ILogger logger, string log, long baseOffset, long position, long bytes, string problem);

    [LoggerMessage(3002, LogLevel.Warning, "Log {Log}: deleted {Count} segment(s) after the damaged segment {BaseOffset}; their records followed a gap")]
    public static partial void DeletedSegmentsAfterDamage(ILogger logger, string log, int count, long baseOffset);

    [LoggerMessage(3003, LogLevel.Information, "Log {Log}: rebuilding the indexes of segment {BaseOffset}: {Reason}")]
    public static partial void RebuildingIndexes(ILogger logger, string log, long baseOffset, string reason);

    [LoggerMessage(3004, LogLevel.Information, "Log {Log}: deleted {File}, which belongs to no segment")]
    public static partial void DeletedOrphanFile(ILogger logger, string log, string file);

    [LoggerMessage(3005, LogLevel.Debug, "Log {Log}: rolled a new segment at offset {BaseOffset}")]
    public static partial void SegmentRolled(ILogger logger, string log, long baseOffset);

    [LoggerMessage(3006, LogLevel.Information, "Log {Log}: deleted {Count} segment(s) ({Bytes} bytes) by {Reason}; log start offset is {LogStartOffset}")]
    public static partial void SegmentsDeleted(ILogger logger, string log, int count, long bytes, string reason, long logStartOffset);

    [LoggerMessage(3007, LogLevel.Information, "Log {Log}: log start offset moved to {LogStartOffset} by DeleteRecords")]
    public static partial void LogStartOffsetMoved(ILogger logger, string log, long logStartOffset);

    [LoggerMessage(3008, LogLevel.Information, "Log {Log}: truncated to offset {Offset}; log end offset {OldLogEndOffset} -> {LogEndOffset}")]
    public static partial void LogTruncated(ILogger logger, string log, long offset, long oldLogEndOffset, long logEndOffset);

    [LoggerMessage(3009, LogLevel.Debug, "Closed log {Log} at log end offset {LogEndOffset}")]
    public static partial void LogClosed(ILogger logger, string log, long logEndOffset);

    [LoggerMessage(3010, LogLevel.Error, "Log {Log}: a write failed; the log refuses writes until it is reopened (recovery repairs it)")]
    public static partial void LogFailed(ILogger logger, Exception exception, string log);

    [LoggerMessage(3011, LogLevel.Information, "Deleted the log of {Partition}")]
    public static partial void LogDeleted(ILogger logger, string partition);

    [LoggerMessage(3012, LogLevel.Warning, "Log {Log}: ignored the unreadable {File}")]
    public static partial void IgnoredUnreadableFile(ILogger logger, string log, string file);

    [LoggerMessage(3013, LogLevel.Warning, "Log {Log}: finished the swap of compacted segment {BaseOffset} that a crash interrupted")]
    public static partial void FinishedInterruptedSwap(ILogger logger, string log, long baseOffset);

    [LoggerMessage(3014, LogLevel.Information, "Log {Log}: compacted {Segments} segment(s) up to offset {CleanedUpTo}: {BytesBefore} -> {BytesAfter} bytes, {Dropped} record(s) dropped")]
    public static partial void Compacted(ILogger logger, string log, int segments, long cleanedUpTo, long bytesBefore, long bytesAfter, long dropped);

    [LoggerMessage(3015, LogLevel.Warning, "Log {Log}: compaction gave up and left the log as it was")]
    public static partial void CompactionFailed(ILogger logger, Exception exception, string log);
}
