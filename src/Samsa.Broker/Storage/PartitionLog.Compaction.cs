using Samsa.Protocol;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Storage;

/// <summary>
/// Log compaction (<c>cleanup.policy=compact</c>): closed segments keep only the latest record of
/// each key. A writer-side operation (see the threading notes on <see cref="PartitionLog"/>): it
/// must not overlap an append, and readers wait only while finished segments are swapped in.
/// </summary>
/// <remarks>
/// <para>The log is split as Kafka's cleaner splits it: the clean part (segments below
/// <see cref="LogFileNames.CleanerCheckpoint"/>, already compacted), the dirty part (closed segments
/// written since), and what may not be touched (the active segment, and any segment reaching
/// the offset limit the caller gives: the high watermark or the first offset of an open transaction).</para>
/// <para>A pass reads the keys of as many dirty segments as <see cref="LogConfig.CleanerKeyMapBytes"/>
/// allows (at least one) into a <see cref="KeyOffsetMap"/>, then rewrites every segment from the
/// start through the last of those with <see cref="BatchCleaner"/>. Each changed segment is written
/// to <c>.cleaned</c> files (with fresh indexes), committed by renaming its <c>.log.cleaned</c> to
/// <c>.log.swap</c>, oldest first, and only then swapped in under the write lock, oldest first.
/// Recovery installs committed swaps and deletes the rest (see <see cref="LogRecovery"/>). Going
/// oldest first matters: a record may go because a later one supersedes it, never because of an
/// earlier one, so every prefix of the swaps leaves a log a pass could have produced. A tombstone
/// goes only in a pass after the one that gave it its delete horizon, and that pass already
/// removed the older records of its key.</para>
/// <para>An emptied segment is removed rather than installed (except the first, which keeps the
/// log start); adjacent small segments are not merged.</para>
/// </remarks>
internal sealed partial class PartitionLog
{
    private long _firstDirtyOffset;
    private long _nextDeleteHorizonMs;
    private bool _compactionBroken;

    /// <summary>
    /// Runs one compaction pass when the topic is compacted and one is due: the dirty closed
    /// segments old enough for <c>min.compaction.lag.ms</c> make up at least
    /// <c>min.cleanable.dirty.ratio</c> of the closed segments' bytes, or a kept tombstone's delete
    /// horizon has passed; <paramref name="force"/> skips the ratio (not the lag). Never touches the
    /// active segment or a segment holding offsets at or past <paramref name="maxOffsetExclusive"/>.
    /// <paramref name="isAborted"/> (producer id, offset) says whether a transactional batch belongs
    /// to an aborted transaction; its records are removed. Transaction markers are kept.
    /// </summary>
    public CompactionResult Compact(long maxOffsetExclusive = long.MaxValue, Func<long, long, bool>? isAborted = null, bool force = false)
    {
        ThrowIfCannotWrite();
        var config = _config;
        if (!config.Compact || _compactionBroken)
        {
            return CompactionResult.None;
        }

        var now = NowMs();
        var segments = _segments;
        var (dirtyStart, dirtyEnd) = FindDirtySegments(segments, maxOffsetExclusive, now, config);
        var cleanBytes = segments[..dirtyStart].Sum(segment => segment.Size);
        var dirtyBytes = segments[dirtyStart..dirtyEnd].Sum(segment => segment.Size);
        var dirtyDue = dirtyEnd > dirtyStart
            && (force || dirtyBytes >= config.MinCleanableDirtyRatio * (cleanBytes + dirtyBytes));
        var horizonDue = dirtyStart > 0 && now >= _nextDeleteHorizonMs;
        if (!dirtyDue && !horizonDue)
        {
            return CompactionResult.None;
        }

        var map = new KeyOffsetMap();
        var mapEnd = dirtyStart;
        List<Replacement> replacements;
        long nextHorizon;
        try
        {
            // Keys of whole dirty segments, oldest first, until the map reaches its budget.
            while (dirtyDue && mapEnd < dirtyEnd && (mapEnd == dirtyStart || map.ApproximateBytes < config.CleanerKeyMapBytes))
            {
                foreach (var batch in segments[mapEnd].ReadBatches())
                {
                    BatchCleaner.AddKeys(batch, map, IsAborted(batch, isAborted));
                }

                mapEnd++;
            }

            (replacements, nextHorizon) = WriteCleanedSegments(segments[..mapEnd], map, isAborted, now, config);
        }
        catch (Exception exception) when (exception is ProtocolException or InvalidDataException)
        {
            // Damaged or undecodable batches: leave the log as it is rather than lose records, and
            // stop trying until the log is reopened (recovery checks every batch).
            DeleteCleanedFiles(segments[..mapEnd]);
            _compactionBroken = true;
            StorageLogging.CompactionFailed(_logger, exception, Name);
            return CompactionResult.None;
        }
        catch (IOException exception)
        {
            FailWrites(exception);
            throw;
        }

        SwapIn(replacements);
        _nextDeleteHorizonMs = nextHorizon;
        if (mapEnd > dirtyStart)
        {
            _firstDirtyOffset = segments[mapEnd].BaseOffset;
            LogRecovery.WriteCleanerCheckpoint(_directory, _firstDirtyOffset);
        }

        var result = new CompactionResult(
            mapEnd,
            replacements.Count,
            replacements.Sum(replacement => replacement.BytesBefore),
            replacements.Sum(replacement => replacement.BytesAfter),
            replacements.Sum(replacement => replacement.RecordsDropped));
        StorageLogging.Compacted(_logger, Name, result.SegmentsRewritten, segments[mapEnd].BaseOffset, result.BytesBefore, result.BytesAfter, result.RecordsDropped);
        return result;
    }

    /// <summary>
    /// The dirty segments a pass may read, as an index range of <paramref name="segments"/>: closed
    /// segments wholly below <paramref name="maxOffsetExclusive"/>, from the first holding offsets at
    /// or past the cleaner checkpoint, up to the first still inside <c>min.compaction.lag.ms</c>.
    /// Everything before the range is the clean part.
    /// </summary>
    private (int Start, int End) FindDirtySegments(LogSegment[] segments, long maxOffsetExclusive, long now, LogConfig config)
    {
        var closed = 0;
        while (closed < segments.Length - 1 && segments[closed + 1].BaseOffset <= maxOffsetExclusive)
        {
            closed++;
        }

        var firstDirty = Math.Max(_firstDirtyOffset, LogStartOffset);
        var start = 0;
        while (start < closed && segments[start + 1].BaseOffset <= firstDirty)
        {
            start++;
        }

        var end = start;
        while (end < closed && IsPastCompactionLag(segments[end], now, config))
        {
            end++;
        }

        return (start, end);
    }

    private static bool IsPastCompactionLag(LogSegment segment, long now, LogConfig config)
    {
        var newest = segment.MaxTimestamp.Timestamp;
        return newest < 0 || now - newest >= config.MinCompactionLagMs;
    }

    private static bool IsAborted(byte[] batch, Func<long, long, bool>? isAborted)
    {
        RecordBatchHeader.TryRead(batch, out var header);
        return header.IsTransactional && !header.IsControl && isAborted is not null && isAborted(header.ProducerId, header.BaseOffset);
    }

    /// <summary>
    /// Phase one and two: writes the cleaned copy of each segment that changes and commits them,
    /// oldest first. Also finds the earliest delete horizon still ahead among the kept batches.
    /// </summary>
    private (List<Replacement> Replacements, long NextHorizon) WriteCleanedSegments(
        LogSegment[] sources, KeyOffsetMap map, Func<long, long, bool>? isAborted, long now, LogConfig config)
    {
        var replacements = new List<Replacement>();
        var nextHorizon = long.MaxValue;
        foreach (var source in sources)
        {
            var changed = source.Size == 0 && source != sources[0];
            long dropped = 0;
            long bytesAfter;
            using (var cleaned = LogSegment.CreateCleaned(_directory, source.BaseOffset, now))
            {
                foreach (var batch in source.ReadBatches())
                {
                    var outcome = BatchCleaner.Clean(batch, map, IsAborted(batch, isAborted), now, config.DeleteRetentionMs);
                    changed |= !ReferenceEquals(outcome.Batch, batch);
                    dropped += outcome.DroppedRecords;
                    if (outcome.Batch is { } kept)
                    {
                        cleaned.Append(kept, config.IndexIntervalBytes);
                        RecordBatchHeader.TryRead(kept, out var header);
                        if (header.HasDeleteHorizon)
                        {
                            nextHorizon = Math.Min(nextHorizon, header.BaseTimestamp);
                        }
                    }
                }

                cleaned.OnRolled();
                bytesAfter = cleaned.Size;
            }

            if (changed)
            {
                replacements.Add(new Replacement(source, source.Size, bytesAfter, dropped));
            }
            else
            {
                DeleteCleanedFiles([source]);
            }
        }

        foreach (var replacement in replacements)
        {
            LogSegment.CommitCleaned(_directory, replacement.Old.BaseOffset);
        }

        return (replacements, nextHorizon);
    }

    /// <summary>
    /// Phase three, under the write lock so no reader is inside a segment being replaced: closes
    /// each old segment, installs its replacement (or, when the replacement is empty and not the
    /// first segment, removes the segment) and publishes the new segment list.
    /// </summary>
    private void SwapIn(List<Replacement> replacements)
    {
        if (replacements.Count == 0)
        {
            return;
        }

        _lock.EnterWriteLock();
        try
        {
            var segments = _segments.ToList();
            foreach (var replacement in replacements)
            {
                var old = replacement.Old;
                var index = segments.IndexOf(old);
                old.Dispose();
                if (replacement.BytesAfter == 0 && index > 0)
                {
                    segments.RemoveAt(index);
                    LogSegment.DeleteFiles(_directory, old.BaseOffset);
                    DeleteCleanedFiles([old]);
                    _directory.Delete(LogFileNames.Log(old.BaseOffset) + LogFileNames.SwapSuffix);
                    continue;
                }

                LogSegment.InstallSwap(_directory, old.BaseOffset);
                var installed = LogSegment.Open(_directory, old.BaseOffset, NowMs());
                if (!installed.TryLoadClosed())
                {
                    installed.Recover(_config.IndexIntervalBytes, closed: true, _logger, Name, out _);
                }

                segments[index] = installed;
            }

            _segments = [.. segments];
        }
        catch (IOException exception)
        {
            FailWrites(exception);
            throw;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private void DeleteCleanedFiles(IEnumerable<LogSegment> sources)
    {
        foreach (var source in sources)
        {
            _directory.Delete(LogFileNames.Log(source.BaseOffset) + LogFileNames.CleanedSuffix);
            _directory.Delete(LogFileNames.Index(source.BaseOffset) + LogFileNames.CleanedSuffix);
            _directory.Delete(LogFileNames.TimeIndex(source.BaseOffset) + LogFileNames.CleanedSuffix);
        }
    }

    /// <summary>One segment a pass changes: the one it replaces, bytes before and after, records dropped.</summary>
    private sealed record Replacement(LogSegment Old, long BytesBefore, long BytesAfter, long RecordsDropped);
}
