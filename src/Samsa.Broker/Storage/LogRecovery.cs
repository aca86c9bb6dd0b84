using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Samsa.Broker.Storage;

/// <summary>
/// Loads a partition log's segments at open. After a clean shutdown only the last segment is
/// scanned (and closed segments whose indexes are missing or look wrong); after a crash every
/// segment is. A scan checks each batch's length, offsets and CRC-32C, rebuilds the indexes and
/// cuts a torn or damaged tail; segments after a damaged one are deleted, as their records would
/// follow a gap.
/// </summary>
internal static class LogRecovery
{
    public sealed record LoadedLog(LogSegment[] Segments, long LogStartOffset, long LogEndOffset);

    public static LoadedLog Load(ILogDirectory directory, LogConfig config, long nowMs, ILogger logger)
    {
        var clean = directory.Exists(LogFileNames.CleanShutdown);
        if (clean)
        {
            // From here until a clean close, a crash must look like one.
            directory.Delete(LogFileNames.CleanShutdown);
        }

        FinishInterruptedCompaction(directory, logger);
        var baseOffsets = FindSegments(directory, logger);
        var checkpoint = ReadLogStartCheckpoint(directory, logger);
        var segments = new List<LogSegment>(baseOffsets.Count);
        try
        {
            var logEndOffset = 0L;
            for (var i = 0; i < baseOffsets.Count; i++)
            {
                var baseOffset = baseOffsets[i];
                var isLast = i == baseOffsets.Count - 1;
                var indexesExist = LogSegment.IndexFilesExist(directory, baseOffset);
                var segment = LogSegment.Open(directory, baseOffset, nowMs);
                segments.Add(segment);
                if (clean && !isLast)
                {
                    if (indexesExist && segment.TryLoadClosed())
                    {
                        continue;
                    }

                    StorageLogging.RebuildingIndexes(logger, directory.Name, baseOffset, indexesExist ? "they do not match the segment" : "they are missing");
                }

                logEndOffset = segment.Recover(config.IndexIntervalBytes, closed: !isLast, logger, directory.Name, out var truncatedBytes);
                if (truncatedBytes > 0 && !isLast)
                {
                    foreach (var later in baseOffsets.Skip(i + 1))
                    {
                        LogSegment.DeleteFiles(directory, later);
                    }

                    StorageLogging.DeletedSegmentsAfterDamage(logger, directory.Name, baseOffsets.Count - i - 1, baseOffset);
                    break;
                }
            }

            if (segments.Count == 0)
            {
                logEndOffset = Math.Max(0, checkpoint ?? 0);
                segments.Add(LogSegment.Create(directory, logEndOffset, nowMs));
            }

            var logStartOffset = Math.Min(Math.Max(segments[0].BaseOffset, checkpoint ?? 0), logEndOffset);
            StorageLogging.LogOpened(logger, directory.Name, segments.Count, logStartOffset, logEndOffset, clean);
            return new LoadedLog([.. segments], logStartOffset, logEndOffset);
        }
        catch
        {
            segments.ForEach(segment => segment.Dispose());
            throw;
        }
    }

    public static void WriteLogStartCheckpoint(ILogDirectory directory, long logStartOffset) =>
        WriteOffsetFile(directory, LogFileNames.LogStartOffsetCheckpoint, logStartOffset);

    public static void WriteCleanerCheckpoint(ILogDirectory directory, long firstDirtyOffset) =>
        WriteOffsetFile(directory, LogFileNames.CleanerCheckpoint, firstDirtyOffset);

    /// <summary>The first offset compaction has not cleaned yet; 0 when it never ran.</summary>
    public static long ReadCleanerCheckpoint(ILogDirectory directory, ILogger logger) =>
        ReadOffsetFile(directory, LogFileNames.CleanerCheckpoint, logger) ?? 0;

    private static long? ReadLogStartCheckpoint(ILogDirectory directory, ILogger logger) =>
        ReadOffsetFile(directory, LogFileNames.LogStartOffsetCheckpoint, logger);

    private static void WriteOffsetFile(ILogDirectory directory, string fileName, long offset) =>
        directory.WriteSmallFile(fileName, Encoding.ASCII.GetBytes(offset.ToString(CultureInfo.InvariantCulture) + "\n"));

    private static long? ReadOffsetFile(ILogDirectory directory, string fileName, ILogger logger)
    {
        if (directory.ReadSmallFile(fileName) is not { } content)
        {
            return null;
        }

        if (long.TryParse(Encoding.ASCII.GetString(content).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return offset;
        }

        StorageLogging.IgnoredUnreadableFile(logger, directory.Name, fileName);
        return null;
    }

    /// <summary>
    /// A compaction that stopped half way: a segment whose replacement was committed (a
    /// <c>.log.swap</c> exists) gets it installed, since the replacement is complete and holds the same
    /// offsets minus what compaction may drop; every other <c>.cleaned</c> file was unfinished and goes.
    /// </summary>
    private static void FinishInterruptedCompaction(ILogDirectory directory, ILogger logger)
    {
        foreach (var file in directory.ListFiles())
        {
            if (LogFileNames.TryParseBaseOffset(file, LogFileNames.LogSuffix + LogFileNames.SwapSuffix, out var baseOffset))
            {
                LogSegment.InstallSwap(directory, baseOffset);
                StorageLogging.FinishedInterruptedSwap(logger, directory.Name, baseOffset);
            }
        }

        foreach (var file in directory.ListFiles())
        {
            if (file.EndsWith(LogFileNames.CleanedSuffix, StringComparison.Ordinal) || file.EndsWith(LogFileNames.SwapSuffix, StringComparison.Ordinal))
            {
                directory.Delete(file);
                StorageLogging.DeletedOrphanFile(logger, directory.Name, file);
            }
        }
    }

    /// <summary>Base offsets of the segments, in order; deletes index files without a segment and leftover temporary files.</summary>
    private static List<long> FindSegments(ILogDirectory directory, ILogger logger)
    {
        var files = directory.ListFiles();
        var baseOffsets = new SortedSet<long>();
        foreach (var file in files)
        {
            if (LogFileNames.TryParseBaseOffset(file, LogFileNames.LogSuffix, out var baseOffset))
            {
                baseOffsets.Add(baseOffset);
            }
        }

        foreach (var file in files)
        {
            var orphan = file.EndsWith(".tmp", StringComparison.Ordinal)
                || (LogFileNames.TryParseBaseOffset(file, LogFileNames.IndexSuffix, out var baseOffset) && !baseOffsets.Contains(baseOffset))
                || (LogFileNames.TryParseBaseOffset(file, LogFileNames.TimeIndexSuffix, out baseOffset) && !baseOffsets.Contains(baseOffset));
            if (orphan)
            {
                directory.Delete(file);
                StorageLogging.DeletedOrphanFile(logger, directory.Name, file);
            }
        }

        return [.. baseOffsets];
    }
}
