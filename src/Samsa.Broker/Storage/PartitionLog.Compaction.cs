using Samsa.Protocol;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Storage;

/// <summary>
/// Log compaction (<c>cleanup.policy=compact</c>): closed segments keep only the latest record of
/// each key. A pass runs beside appends and reads: it holds only the log's cleaner gate while it
/// reads keys and writes cleaned segments, and readers wait only while finished segments are
/// swapped in.
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
/// <para>Concurrency. A pass holds the cleaner gate from the moment it picks its segments until
/// the swap is published. Truncation, retention, DeleteRecords and disposal take the same gate, so
/// the closed segments a pass reads, and the log start, cannot change or go away under it; they wait
/// for the pass (disposal first asks it to give up). We chose the gate over validating at the swap
/// and discarding a pass overtaken by a truncation because a pass also relies on its offset limit
/// and aborted transactions, fixed by the caller before the pass: a truncation followed by new
/// appends would make them wrong without the segments looking any different. Appends and rolls
/// need no gate: they only write the active segment and add segments after it, which a pass never
/// reads; the swap replaces its old segments in the list current at that moment (rolls included),
/// under the segment list lock. Passes of one log never overlap (the gate). The cleaner state
/// (<c>_firstDirtyOffset</c>, <c>_nextDeleteHorizonMs</c>, <c>_compactionBroken</c>) is read and
/// written only holding the gate.</para>
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
    /// to an aborted transaction; its records are removed. Transaction markers are kept. Waits for a
    /// pass or a truncation in progress; appends may run at the same time.
    /// </summary>
    public CompactionResult Compact(long maxOffsetExclusive = long.MaxValue, Func<long, long, bool>? isAborted = null, bool force = false)
    {
        ThrowIfCannotWrite();
        _cleanerGate.Wait();
        try
        {
            return CompactHoldingGate(maxOffsetExclusive, isAborted, force);
        }
        finally
        {
            _cleanerGate.Release();
        }
    }

    /// <summary>
    /// Takes the cleaner gate without waiting, so the caller can fix what the pass will rely on (the
    /// offset limit, the aborted transactions below it) under its own lock and run the pass after
    /// releasing that lock: from here until the returned pass is disposed, nothing truncates the log
    /// or deletes its closed segments. Null when the topic is not compacted or the gate is held (a
    /// pass or another gated operation is running).
    /// </summary>
    public CompactionPass? TryStartCompaction()
    {
        if (!_config.Compact || !_cleanerGate.Wait(0))
        {
            return null;
        }

        return new CompactionPass(this);
    }

    /// <summary>A pass holding the cleaner gate of its log, from <see cref="TryStartCompaction"/>: <see cref="Run"/> it (at most once), then dispose it to release the gate.</summary>
    internal sealed class CompactionPass : IDisposable
    {
        private PartitionLog? _log;
        private bool _ran;

        internal CompactionPass(PartitionLog log) => _log = log;

        /// <summary>Runs the pass; see <see cref="Compact"/> for the arguments.</summary>
        public CompactionResult Run(long maxOffsetExclusive, Func<long, long, bool>? isAborted, bool force = false)
        {
            var log = _log;
            ObjectDisposedException.ThrowIf(log is null, this);
            if (_ran)
            {
                throw new InvalidOperationException("A compaction pass runs once.");
            }

            _ran = true;
            log.ThrowIfCannotWrite();
            return log.CompactHoldingGate(maxOffsetExclusive, isAborted, force);
        }

        public void Dispose()
        {
            if (_log is { } log)
            {
                _log = null;
                log._cleanerGate.Release();
            }
        }
    }

    private CompactionResult CompactHoldingGate(long maxOffsetExclusive, Func<long, long, bool>? isAborted, bool force)
    {
        var config = _config;
        if (!config.Compact || _compactionBroken || _closeRequested)
        {
            return CompactionResult.None;
        }

        // The closed segments of this list stay as they are until the gate is released; the
        // appender may add segments after them meanwhile, which this pass does not look at.
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
                    ThrowIfCloseRequested();
                    BatchCleaner.AddKeys(batch, map, IsAborted(batch, isAborted));
                }

                mapEnd++;
            }

            (replacements, nextHorizon) = WriteCleanedSegments(segments[..mapEnd], map, isAborted, now, config);
        }
        catch (OperationCanceledException)
        {
            // Dispose is waiting: nothing was committed, so the log stays as it was.
            DeleteCleanedFiles(segments[..mapEnd]);
            return CompactionResult.None;
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

    /// <summary>A pass still building its segments gives up when <see cref="Dispose"/> waits for it.</summary>
    private void ThrowIfCloseRequested()
    {
        if (_closeRequested)
        {
            throw new OperationCanceledException($"Log {Name} is closing.");
        }
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
                    ThrowIfCloseRequested();
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
    /// first segment, removes the segment) and publishes the segment list with those changes made
    /// to the list current at this moment (which may have gained segments rolled during the pass).
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
            // The gate kept truncation and deletion out since the pass began, so every old segment
            // is still listed, and the first listed is still the one holding the log start.
            var current = _segments;
            foreach (var replacement in replacements)
            {
                if (Array.IndexOf(current, replacement.Old) < 0)
                {
                    throw new InvalidOperationException($"Log {Name}: segment {replacement.Old.BaseOffset} left the log during a compaction pass.");
                }
            }

            var first = current[0];
            var installed = new Dictionary<LogSegment, LogSegment?>(ReferenceEqualityComparer.Instance);
            foreach (var replacement in replacements)
            {
                var old = replacement.Old;
                old.Dispose();
                if (replacement.BytesAfter == 0 && old != first)
                {
                    installed[old] = null;
                    LogSegment.DeleteFiles(_directory, old.BaseOffset);
                    DeleteCleanedFiles([old]);
                    _directory.Delete(LogFileNames.Log(old.BaseOffset) + LogFileNames.SwapSuffix);
                    continue;
                }

                LogSegment.InstallSwap(_directory, old.BaseOffset);
                var segment = LogSegment.Open(_directory, old.BaseOffset, NowMs());
                if (!segment.TryLoadClosed())
                {
                    segment.Recover(_config.IndexIntervalBytes, closed: true, _logger, Name, out _);
                }

                installed[old] = segment;
            }

            PublishSegments(latest =>
            [
                .. latest
                    .Select(segment => installed.TryGetValue(segment, out var replaced) ? replaced : segment)
                    .OfType<LogSegment>(),
            ]);
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
