namespace Samsa.Broker.Storage;

/// <summary>
/// Removing records: retention, DeleteRecords and truncation. Writer-side operations (see the
/// threading notes on <see cref="PartitionLog"/>). Each holds the cleaner gate throughout, so it
/// waits for a compaction pass in progress (under the partition's lock, so appends to the partition
/// wait too; these operations are rare) and no pass starts while it runs.
/// </summary>
internal sealed partial class PartitionLog
{
    /// <summary>
    /// Deletes the oldest segments that are past <c>retention.ms</c> (by their largest batch max
    /// timestamp against the <see cref="TimeProvider"/>), beyond <c>retention.bytes</c> (while the
    /// log stays at least that big) or wholly below the log start offset; the first two only when
    /// <c>cleanup.policy</c> holds <c>delete</c>. Whole segments only,
    /// oldest first, stopping at the first one kept; never the active segment, and never a segment
    /// with offsets at or past <paramref name="maxOffsetExclusive"/> (pass the high watermark so
    /// unreplicated records stay). Returns how many segments were deleted.
    /// </summary>
    public int EnforceRetention(long maxOffsetExclusive = long.MaxValue)
    {
        ThrowIfCannotWrite();
        EnterCleanerGate();
        try
        {
            return EnforceRetentionHoldingGate(maxOffsetExclusive);
        }
        finally
        {
            _cleanerGate.Release();
        }
    }

    private int EnforceRetentionHoldingGate(long maxOffsetExclusive)
    {
        var config = _config;
        var now = NowMs();
        var segments = _segments;
        var logStart = LogStartOffset;
        var remainingBytes = SizeInBytes;
        var reasons = new SortedSet<string>(StringComparer.Ordinal);
        var count = 0;
        for (; count < segments.Length - 1; count++)
        {
            var segment = segments[count];
            var nextBaseOffset = segments[count + 1].BaseOffset;
            if (nextBaseOffset > maxOffsetExclusive)
            {
                break;
            }

            var maxTimestamp = segment.MaxTimestamp.Timestamp;
            var reason =
                nextBaseOffset <= logStart ? "log start offset"
                : !config.Delete ? null
                : config.RetentionMs >= 0 && maxTimestamp >= 0 && now - maxTimestamp > config.RetentionMs ? "retention.ms"
                : config.RetentionBytes >= 0 && remainingBytes - segment.Size >= config.RetentionBytes ? "retention.bytes"
                : null;
            if (reason is null)
            {
                break;
            }

            reasons.Add(reason);
            remainingBytes -= segment.Size;
        }

        if (count > 0)
        {
            DeleteOldestSegments(count, string.Join(", ", reasons));
        }

        return count;
    }

    /// <summary>
    /// Moves the log start offset up to <paramref name="offset"/> (DeleteRecords): records below it
    /// can no longer be fetched, and segments wholly below it are deleted. Nothing when the log
    /// already starts there or later. The new start offset is kept across restarts.
    /// </summary>
    public void DeleteRecordsBefore(long offset)
    {
        ThrowIfCannotWrite();
        EnterCleanerGate();
        try
        {
            DeleteRecordsBeforeHoldingGate(offset);
        }
        finally
        {
            _cleanerGate.Release();
        }
    }

    private void DeleteRecordsBeforeHoldingGate(long offset)
    {
        if (offset <= LogStartOffset)
        {
            return;
        }

        if (offset > LogEndOffset)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Cannot delete records past the log end offset {LogEndOffset}.");
        }

        Volatile.Write(ref _logStartOffset, offset);
        LogRecovery.WriteLogStartCheckpoint(_directory, offset);
        StorageLogging.LogStartOffsetMoved(_logger, Name, offset);

        var segments = _segments;
        var count = 0;
        while (count < segments.Length - 1 && segments[count + 1].BaseOffset <= offset)
        {
            count++;
        }

        if (count > 0)
        {
            DeleteOldestSegments(count, "log start offset");
        }
    }

    /// <summary>
    /// Removes every record at or after <paramref name="offset"/>, as a replica does when leadership
    /// moves. The batch containing <paramref name="offset"/> goes whole, so the new log end offset is
    /// that batch's base offset. Below the log start offset, the log is emptied and starts again at
    /// <paramref name="offset"/>. Nothing when <paramref name="offset"/> is at or past the end.
    /// </summary>
    public void Truncate(long offset)
    {
        ThrowIfCannotWrite();
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var oldEnd = LogEndOffset;
        if (offset >= oldEnd)
        {
            return;
        }

        EnterCleanerGate();
        _lock.EnterWriteLock();
        try
        {
            if (offset < LogStartOffset)
            {
                ReplaceAllSegmentsWithEmptyAt(offset);
            }
            else
            {
                TruncateSegmentsFrom(offset);
            }
        }
        catch (IOException exception)
        {
            FailWrites(exception);
            throw;
        }
        finally
        {
            _lock.ExitWriteLock();
            _cleanerGate.Release();
        }

        StorageLogging.LogTruncated(_logger, Name, offset, oldEnd, LogEndOffset);
    }

    private void TruncateSegmentsFrom(long offset)
    {
        var segments = _segments;
        var keep = IndexOfSegmentContaining(segments, offset);
        for (var i = keep + 1; i < segments.Length; i++)
        {
            segments[i].Delete(_directory);
        }

        PublishSegments(_ => segments[..(keep + 1)]);
        var newEnd = segments[keep].TruncateTo(offset, _config.IndexIntervalBytes, _logger, Name);
        Volatile.Write(ref _logEndOffset, newEnd);
        ForgetCleaningFrom(newEnd);
        if (LogStartOffset > newEnd)
        {
            Volatile.Write(ref _logStartOffset, newEnd);
            LogRecovery.WriteLogStartCheckpoint(_directory, newEnd);
        }
    }

    private void ReplaceAllSegmentsWithEmptyAt(long offset)
    {
        foreach (var segment in _segments)
        {
            segment.Delete(_directory);
        }

        var empty = LogSegment.Create(_directory, offset, NowMs());
        PublishSegments(_ => [empty]);
        Volatile.Write(ref _logStartOffset, offset);
        Volatile.Write(ref _logEndOffset, offset);
        LogRecovery.WriteLogStartCheckpoint(_directory, offset);
        ForgetCleaningFrom(offset);
    }

    /// <summary>Records appended again from <paramref name="offset"/> on are dirty, whatever compaction had cleaned there before (call holding the cleaner gate).</summary>
    private void ForgetCleaningFrom(long offset)
    {
        if (_firstDirtyOffset > offset)
        {
            _firstDirtyOffset = offset;
            LogRecovery.WriteCleanerCheckpoint(_directory, offset);
        }
    }

    private void DeleteOldestSegments(int count, string reason)
    {
        long bytes = 0;
        _lock.EnterWriteLock();
        try
        {
            var segments = _segments;
            PublishSegments(_ => segments[count..]);
            var newStart = _segments[0].BaseOffset;
            if (newStart > LogStartOffset)
            {
                Volatile.Write(ref _logStartOffset, newStart);
                LogRecovery.WriteLogStartCheckpoint(_directory, newStart);
            }

            foreach (var segment in segments[..count])
            {
                bytes += segment.Size;
                segment.Delete(_directory);
            }
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

        StorageLogging.SegmentsDeleted(_logger, Name, count, bytes, reason, LogStartOffset);
    }
}
