using Microsoft.Extensions.Logging;

namespace Samsa.Broker.Storage;

/// <summary>
/// The log of one topic-partition replica: record batches stored exactly as produced (with the
/// offsets the log assigns), in segments rolled by size and time, with sparse offset and time
/// indexes. The same code runs on disk (<see cref="FileLogStorage"/>) and in memory
/// (<see cref="MemoryLogStorage"/>).
/// </summary>
/// <remarks>
/// <para>Threading: one writer at a time. <see cref="Append"/>, <see cref="Truncate"/>,
/// <see cref="DeleteRecordsBefore"/>, <see cref="EnforceRetention"/>, <see cref="Flush"/>,
/// <see cref="FlushIfDue"/> and <see cref="Dispose"/> must not overlap each other (the owner of the
/// partition serializes them). <see cref="Compact"/> (or a <see cref="CompactionPass"/>) may run
/// beside them on another thread: a pass reads only closed segments, and the cleaner gate keeps the
/// operations that change or remove closed segments or move the log start (truncation, retention,
/// DeleteRecords, disposal) out until the pass ends; appends and rolls touch only the active
/// segment. <see cref="Read"/>, <see cref="FindOffsetForTimestamp"/>, the offset and size properties
/// and <see cref="Config"/> may be used from any thread at any time.</para>
/// <para>Lock order inside the log: cleaner gate, then the reader-writer lock, then the segment list
/// lock (a leaf). The owner's own lock (the partition's) comes before all of them.</para>
/// <para>A reader sees only whole batches that were appended before <see cref="LogEndOffset"/>
/// moved past them. Appends never block readers; truncation, segment deletion, the swap at the end
/// of a compaction pass and disposal wait for reads in progress and keep new ones out while they
/// change files. Compaction writes its new segments beside the old ones before that. Reads after disposal
/// throw <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
internal sealed partial class PartitionLog : IDisposable
{
    private readonly ILogDirectory _directory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // Readers hold it while they touch segment files; the writer takes it exclusively to remove,
    // shrink or close them. Never disposed: a reader racing Dispose must get ObjectDisposedException
    // from our own check, not a lock torn down under it.
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);

    // Held by a compaction pass from start to swap, and by everything that changes or removes closed
    // segments or moves the log start (truncation, retention, DeleteRecords, disposal), so none of
    // those overlaps a pass. A semaphore, not a monitor: a pass may be started under the owner's
    // lock and run after it (see TryStartCompaction), and it must not be re-entrant. Never disposed,
    // like _lock. Owns the cleaner state (_firstDirtyOffset, _nextDeleteHorizonMs, _compactionBroken).
    private readonly SemaphoreSlim _cleanerGate = new(1, 1);

    // Every replacement of _segments is made under it, reading the current list inside: a roll
    // (appender, no other lock of ours) and the compaction swap (gate and write lock) may run at
    // the same time and must not lose each other's change. A leaf: nothing is taken inside it.
    private readonly Lock _segmentListLock = new();

    private volatile LogSegment[] _segments;
    private volatile LogConfig _config;
    private volatile bool _disposed;

    // Set by Dispose before it waits for the cleaner gate: a pass still writing gives up at its next batch.
    private volatile bool _closeRequested;
    private long _logStartOffset;
    private long _logEndOffset;
    private long _unflushedRecords;
    private long _lastFlushMs;

    // Written by whichever thread failed (the appender or a compaction pass), read by both.
    private volatile Exception? _writeFailure;

    private PartitionLog(ILogDirectory directory, LogConfig config, TimeProvider time, ILogger logger, LogRecovery.LoadedLog loaded)
    {
        _directory = directory;
        _config = config;
        _time = time;
        _logger = logger;
        _segments = loaded.Segments;
        _logStartOffset = loaded.LogStartOffset;
        _logEndOffset = loaded.LogEndOffset;
        _lastFlushMs = NowMs();
        // Recovery may have cut the log below the checkpoint; what is appended there again is dirty.
        _firstDirtyOffset = Math.Min(LogRecovery.ReadCleanerCheckpoint(directory, logger), loaded.LogEndOffset);

        // Kept tombstones' delete horizons are not remembered across a restart: when compaction ran
        // before, let the first pass look at the clean part again to find them.
        _nextDeleteHorizonMs = directory.Exists(LogFileNames.CleanerCheckpoint) ? 0 : long.MaxValue;
    }

    /// <summary>Where the log lives, for messages: a directory path or <c>memory:&lt;topic&gt;-&lt;partition&gt;</c>.</summary>
    public string Name => _directory.Name;

    /// <summary>Segment, retention, index and flush settings; a new value applies from the next append or retention pass.</summary>
    public LogConfig Config
    {
        get => _config;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            _config = value;
        }
    }

    /// <summary>The first offset a consumer may fetch.</summary>
    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>The offset the next appended record gets.</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    /// <summary>Bytes of batches kept, over all segments.</summary>
    public long SizeInBytes => _segments.Sum(segment => segment.Size);

    public int SegmentCount => _segments.Length;

    /// <summary>Base offsets of the segments, oldest first; the last one is the active segment.</summary>
    public IReadOnlyList<long> SegmentBaseOffsets => [.. _segments.Select(segment => segment.BaseOffset)];

    /// <summary>
    /// The largest batch max timestamp in the log and the last offset of the first batch that has
    /// it, for ListOffsets MAX_TIMESTAMP: the record with the max timestamp when timestamps grow
    /// within the batch, as they usually do (an exact answer needs the batch's records, the
    /// caller's to decode); (-1, -1) when no batch has a timestamp.
    /// </summary>
    public (long Offset, long Timestamp) MaxTimestamp
    {
        get
        {
            (long Offset, long Timestamp) best = (-1, -1);
            foreach (var segment in _segments)
            {
                var candidate = segment.MaxTimestamp;
                if (candidate.Timestamp > best.Timestamp)
                {
                    best = candidate;
                }
            }

            return best;
        }
    }

    /// <summary>
    /// Opens the log in <paramref name="directory"/>, creating an empty one when there are no
    /// segments, and recovering it (see <see cref="LogRecovery"/>) when there are.
    /// </summary>
    public static PartitionLog Open(ILogDirectory directory, LogConfig config, TimeProvider timeProvider, ILogger logger)
    {
        config.Validate();
        var loaded = LogRecovery.Load(directory, config, timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), logger);
        return new PartitionLog(directory, config, timeProvider, logger, loaded);
    }

    /// <summary>
    /// Appends one or more whole, validated magic-2 batches. Their base offsets are rewritten in
    /// <paramref name="batches"/> itself from <see cref="LogEndOffset"/> on (outside the CRC, which
    /// stays valid); with <see cref="LogConfig.LogAppendTime"/> their timestamp type and max
    /// timestamp are stamped too (and the CRC recomputed). All of them go into one segment, rolled
    /// first if needed. Throws <see cref="ArgumentException"/> when the bytes are not whole batches.
    /// </summary>
    public LogAppendInfo Append(Span<byte> batches)
    {
        ThrowIfCannotWrite();
        var config = _config;
        var now = NowMs();
        var info = BatchRewriter.AssignOffsets(batches, LogEndOffset, config.LogAppendTime ? now : -1);
        return AppendAssigned(batches, info, now, config);
    }

    /// <summary>
    /// Appends whole batches copied from another replica's log, keeping their offsets: a compacted
    /// log has gaps, so the first may start past <see cref="LogEndOffset"/>, which then jumps to the
    /// end of the last. Throws <see cref="ArgumentException"/> when a batch starts below
    /// <see cref="LogEndOffset"/> or the bytes are not whole batches.
    /// </summary>
    public LogAppendInfo AppendWithOffsets(ReadOnlySpan<byte> batches)
    {
        ThrowIfCannotWrite();
        var info = BatchRewriter.CheckOffsets(batches, LogEndOffset);
        return AppendAssigned(batches, info, NowMs(), _config);
    }

    private LogAppendInfo AppendAssigned(ReadOnlySpan<byte> batches, LogAppendInfo info, long now, LogConfig config)
    {
        try
        {
            var segment = RollIfNeeded(batches.Length, info, now, config);
            segment.Append(batches, config.IndexIntervalBytes);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            FailWrites(exception);
            throw;
        }

        Volatile.Write(ref _logEndOffset, info.LastOffset + 1);
        _unflushedRecords += info.RecordCount;
        if (_unflushedRecords >= config.FlushMessages || now - _lastFlushMs >= config.FlushMs)
        {
            Flush();
        }

        return info;
    }

    /// <summary>
    /// Whole batches from the one containing <paramref name="fetchOffset"/>: each must end below
    /// <paramref name="maxOffsetExclusive"/> (the high watermark or last stable offset) and below
    /// <see cref="LogEndOffset"/>; together they stay within <paramref name="maxBytes"/>, except that
    /// the first batch is returned whole even when larger if <paramref name="minOneBatch"/> (so a
    /// consumer always makes progress). A read never crosses into the next segment, and never
    /// returns part of a batch. The caller disposes the result (see <see cref="LogReadResult"/>).
    /// </summary>
    /// <returns>
    /// <see cref="LogReadResult.OffsetOutOfRange"/> when <paramref name="fetchOffset"/> is below
    /// <see cref="LogStartOffset"/> or past <see cref="LogEndOffset"/>; <see cref="LogReadResult.Empty"/>
    /// when no batch qualifies.
    /// </returns>
    public LogReadResult Read(long fetchOffset, int maxBytes, long maxOffsetExclusive = long.MaxValue, bool minOneBatch = true)
    {
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // Offsets first, then segments: the writer publishes them the other way round, so every
            // offset below this end offset lies in a segment and bytes we are about to see.
            var logEnd = LogEndOffset;
            var logStart = LogStartOffset;
            if (fetchOffset < logStart || fetchOffset > logEnd)
            {
                return LogReadResult.OffsetOutOfRange;
            }

            var limit = Math.Min(logEnd, maxOffsetExclusive);
            if (fetchOffset >= limit)
            {
                return LogReadResult.Empty;
            }

            var segments = _segments;
            for (var i = IndexOfSegmentContaining(segments, fetchOffset); i < segments.Length; i++)
            {
                if (segments[i].Read(fetchOffset, maxBytes, limit, minOneBatch) is { } result)
                {
                    return result;
                }
            }

            return LogReadResult.Empty;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// The first batch at or after the log start offset whose max timestamp is at least
    /// <paramref name="timestamp"/>, found through the time indexes (ListOffsets by timestamp):
    /// its base offset (raised to the log start offset when that lies inside it) and its max
    /// timestamp. Null when no batch reaches <paramref name="timestamp"/>. Records inside the batch
    /// may be older than <paramref name="timestamp"/>; finding the exact record is the caller's.
    /// </summary>
    public (long Offset, long Timestamp)? FindOffsetForTimestamp(long timestamp)
    {
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var logEnd = LogEndOffset;
            var logStart = LogStartOffset;
            foreach (var segment in _segments)
            {
                if (segment.MaxTimestamp.Timestamp >= timestamp
                    && segment.FindOffsetForTimestamp(timestamp, logStart, logEnd) is { } found)
                {
                    return found;
                }
            }

            return null;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Makes everything appended so far durable (fsync of the active segment; rolled segments were flushed when they rolled).</summary>
    public void Flush()
    {
        ThrowIfCannotWrite();
        try
        {
            _segments[^1].Flush();
        }
        catch (IOException exception)
        {
            FailWrites(exception);
            throw;
        }

        _unflushedRecords = 0;
        _lastFlushMs = NowMs();
    }

    /// <summary>Flushes when records wait and <c>flush.ms</c> has passed since the last flush; call periodically (as the writer). True when it flushed.</summary>
    public bool FlushIfDue()
    {
        if (_unflushedRecords == 0 || NowMs() - _lastFlushMs < _config.FlushMs)
        {
            return false;
        }

        Flush();
        return true;
    }

    /// <summary>Flushes, closes the files and marks the shutdown clean, so the next open scans only the last segment.</summary>
    public void Dispose()
    {
        // A pass in progress stops at its next batch; closed segments stay put until it has.
        _closeRequested = true;
        EnterCleanerGate();
        try
        {
            DisposeHoldingGate();
        }
        finally
        {
            _cleanerGate.Release();
        }
    }

    private void DisposeHoldingGate()
    {
        _lock.EnterWriteLock();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            var flushed = false;
            try
            {
                if (_writeFailure is null)
                {
                    _segments[^1].Flush();
                    flushed = true;
                }
            }
            finally
            {
                foreach (var segment in _segments)
                {
                    segment.Dispose();
                }
            }

            if (flushed)
            {
                _directory.WriteSmallFile(LogFileNames.CleanShutdown, []);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        StorageLogging.LogClosed(_logger, Name, LogEndOffset);
    }

    private LogSegment RollIfNeeded(int incomingBytes, LogAppendInfo incoming, long now, LogConfig config)
    {
        var segments = _segments;
        var active = segments[^1];
        if (!active.ShouldRoll(incomingBytes, incoming.LastOffset, incoming.MaxTimestamp, now, config))
        {
            return active;
        }

        active.OnRolled();
        var next = LogSegment.Create(_directory, LogEndOffset, now);
        // Onto the current list, not onto segments: a compaction swap may have replaced closed ones since.
        PublishSegments(current => [.. current, next]);
        StorageLogging.SegmentRolled(_logger, Name, next.BaseOffset);
        return next;
    }

    /// <summary>The last segment whose base offset is at most <paramref name="offset"/> (0 when the offset precedes them all).</summary>
    private static int IndexOfSegmentContaining(LogSegment[] segments, long offset)
    {
        var low = 0;
        var high = segments.Length - 1;
        var found = 0;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            if (segments[middle].BaseOffset <= offset)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found;
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Replaces the segment list (see <see cref="_segmentListLock"/>).</summary>
    private void PublishSegments(Func<LogSegment[], LogSegment[]> change)
    {
        lock (_segmentListLock)
        {
            _segments = change(_segments);
        }
    }

    /// <summary>
    /// Takes the cleaner gate, waiting for a compaction pass in progress. Called by the operations
    /// that change closed segments or the log start, under the owner's lock when there is one:
    /// owner's lock, then the gate, then <see cref="_lock"/>, never the other way round.
    /// </summary>
    private void EnterCleanerGate()
    {
        if (!_cleanerGate.Wait(0))
        {
            CleanerGateContended?.Invoke();
            _cleanerGate.Wait();
        }
    }

    /// <summary>Test hook: called on the waiting thread when an operation finds the cleaner gate held and is about to wait for it.</summary>
    internal Action? CleanerGateContended { get; set; }

    private void ThrowIfCannotWrite()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writeFailure is { } failure)
        {
            throw new IOException($"Log {Name} refuses writes after an earlier write failed; reopen it to recover.", failure);
        }
    }

    /// <summary>After a failed write the files may disagree with our state: refuse writes until recovery at the next open sorts them out.</summary>
    private void FailWrites(Exception exception)
    {
        _writeFailure = exception;
        StorageLogging.LogFailed(_logger, exception, Name);
    }
}
