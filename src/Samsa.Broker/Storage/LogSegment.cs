using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Storage;

/// <summary>
/// One segment of a partition log: its batches (<c>.log</c>), its sparse offset index and its
/// time index, all named by the segment's base offset. Memory held per segment is a few fields:
/// batch bytes and index entries stay in their files.
/// </summary>
/// <remarks>
/// One writer (Append, Recover, TruncateTo, OnRolled, Flush) at a time. Read, FindOffsetForTimestamp
/// and the properties may run on other threads at the same time as Append: a batch becomes
/// visible to them only once it is wholly written, because readers never look past
/// <see cref="Size"/>, which the data file moves after the bytes are in place.
/// </remarks>
internal sealed class LogSegment : IDisposable
{
    /// <summary>Reads for CRC checks during recovery go through a buffer of this size, whatever the batch size.</summary>
    private const int ScratchSize = 64 * 1024;

    private readonly ILogFile _data;
    private readonly OffsetIndex _offsetIndex;
    private readonly TimeIndex _timeIndex;
    private readonly long _createdMs;
    private TimestampAndOffset? _maxTimestamp;
    private long _rollingBaseTimestamp = -1;
    private long _bytesSinceLastIndexEntry;

    private LogSegment(ILogDirectory directory, long baseOffset, long nowMs, string suffix = "")
    {
        BaseOffset = baseOffset;
        _createdMs = nowMs;
        var opened = new List<ILogFile>(3);
        try
        {
            opened.Add(_data = directory.Open(LogFileNames.Log(baseOffset) + suffix));
            var index = directory.Open(LogFileNames.Index(baseOffset) + suffix);
            opened.Add(index);
            _offsetIndex = new OffsetIndex(index, baseOffset);
            var timeIndex = directory.Open(LogFileNames.TimeIndex(baseOffset) + suffix);
            opened.Add(timeIndex);
            _timeIndex = new TimeIndex(timeIndex, baseOffset);
        }
        catch
        {
            opened.ForEach(file => file.Dispose());
            throw;
        }
    }

    public long BaseOffset { get; }

    /// <summary>Bytes of batches in the segment.</summary>
    public long Size => _data.Length;

    /// <summary>The largest batch max timestamp in the segment and the last offset of the first batch with it; (-1, -1) when none has a timestamp.</summary>
    public (long Offset, long Timestamp) MaxTimestamp =>
        Volatile.Read(ref _maxTimestamp) is { } max ? (max.Offset, max.Timestamp) : (-1, -1);

    /// <summary>Opens the files of an existing segment. Call <see cref="Recover"/> or <see cref="TryLoadClosed"/> next.</summary>
    public static LogSegment Open(ILogDirectory directory, long baseOffset, long nowMs) => new(directory, baseOffset, nowMs);

    /// <summary>Starts a new, empty segment (emptying any stale files of the same name).</summary>
    public static LogSegment Create(ILogDirectory directory, long baseOffset, long nowMs)
    {
        var segment = new LogSegment(directory, baseOffset, nowMs);
        segment._data.Truncate(0);
        segment._offsetIndex.Clear();
        segment._timeIndex.Clear();
        return segment;
    }

    /// <summary>
    /// Starts the replacement of segment <paramref name="baseOffset"/> that compaction writes, in
    /// files named with <see cref="LogFileNames.CleanedSuffix"/> (emptied first). Close it once
    /// written; <see cref="CommitCleaned"/> and <see cref="InstallSwap"/> put it in place.
    /// </summary>
    public static LogSegment CreateCleaned(ILogDirectory directory, long baseOffset, long nowMs)
    {
        var segment = new LogSegment(directory, baseOffset, nowMs, LogFileNames.CleanedSuffix);
        segment._data.Truncate(0);
        segment._offsetIndex.Clear();
        segment._timeIndex.Clear();
        return segment;
    }

    /// <summary>
    /// Marks a written, flushed and closed replacement of segment <paramref name="baseOffset"/> as
    /// complete: its <c>.log.cleaned</c> becomes <c>.log.swap</c>. From here on recovery installs it
    /// rather than discarding it.
    /// </summary>
    public static void CommitCleaned(ILogDirectory directory, long baseOffset) =>
        directory.Rename(LogFileNames.Log(baseOffset) + LogFileNames.CleanedSuffix, LogFileNames.Log(baseOffset) + LogFileNames.SwapSuffix);

    /// <summary>
    /// Puts a committed replacement of segment <paramref name="baseOffset"/> in place of the old
    /// files (closed by the caller): indexes first, the <c>.log</c> last, so until the last rename the
    /// <c>.log.swap</c> still marks the swap as unfinished and recovery can run this again. Index
    /// files left missing by a crash between the renames are rebuilt when the segment is loaded.
    /// </summary>
    public static void InstallSwap(ILogDirectory directory, long baseOffset)
    {
        foreach (var name in new[] { LogFileNames.Index(baseOffset), LogFileNames.TimeIndex(baseOffset) })
        {
            directory.Delete(name);
            if (directory.Exists(name + LogFileNames.CleanedSuffix))
            {
                directory.Rename(name + LogFileNames.CleanedSuffix, name);
            }
        }

        directory.Rename(LogFileNames.Log(baseOffset) + LogFileNames.SwapSuffix, LogFileNames.Log(baseOffset));
    }

    public static bool IndexFilesExist(ILogDirectory directory, long baseOffset) =>
        directory.Exists(LogFileNames.Index(baseOffset)) && directory.Exists(LogFileNames.TimeIndex(baseOffset));

    /// <summary>
    /// True when the next append should go to a new segment: this one has data and the append
    /// would take it past <c>segment.bytes</c>, its records would span more than <c>segment.ms</c>
    /// (by record timestamps, or by the clock when they have none), or an offset would not fit
    /// the index's 32-bit relative offsets.
    /// </summary>
    public bool ShouldRoll(int incomingBytes, long incomingLastOffset, long incomingMaxTimestamp, long nowMs, LogConfig config)
    {
        var size = Size;
        if (size == 0)
        {
            return false;
        }

        if (size + incomingBytes > config.SegmentBytes || incomingLastOffset - BaseOffset > int.MaxValue)
        {
            return true;
        }

        var waited = _rollingBaseTimestamp >= 0 && incomingMaxTimestamp >= 0
            ? incomingMaxTimestamp - _rollingBaseTimestamp
            : nowMs - _createdMs;
        return waited > config.SegmentMs;
    }

    /// <summary>Appends whole batches whose offsets are already assigned, indexing them as it goes.</summary>
    public void Append(ReadOnlySpan<byte> batches, int indexIntervalBytes)
    {
        var start = _data.Length;
        _data.Append(batches);
        var position = 0;
        while (position < batches.Length)
        {
            RecordBatchHeader.TryRead(batches[position..], out var header);
            Track(header, start + position, indexIntervalBytes);
            position += header.TotalSize;
        }
    }

    /// <summary>
    /// Every batch of the segment in order, each copied into its own array (compaction reads closed
    /// segments this way). Stops at <see cref="Size"/> as it was when enumeration began.
    /// </summary>
    public IEnumerable<byte[]> ReadBatches()
    {
        var size = Size;
        var position = 0L;
        while (position < size)
        {
            var header = ReadHeaderAt(position);
            var batch = new byte[header.TotalSize];
            if (_data.Read(position, batch) != batch.Length)
            {
                throw new InvalidDataException($"Segment {BaseOffset}: the batch at position {position} could not be read back.");
            }

            yield return batch;
            position += header.TotalSize;
        }
    }

    /// <summary>
    /// Whole batches from the one containing <paramref name="fetchOffset"/>, each ending below
    /// <paramref name="limit"/>, up to <paramref name="maxBytes"/> (the first batch even when larger,
    /// with <paramref name="minOneBatch"/>). Null when every batch here ends before <paramref name="fetchOffset"/>.
    /// </summary>
    public LogReadResult? Read(long fetchOffset, int maxBytes, long limit, bool minOneBatch)
    {
        var size = Size;
        if (!TryLocate(fetchOffset, size, out var position, out var first))
        {
            return null;
        }

        if (first.LastOffset >= limit || (!minOneBatch && first.TotalSize > maxBytes))
        {
            return LogReadResult.Empty;
        }

        var length = (int)Math.Min(size - position, Math.Max(maxBytes, first.TotalSize));
        if (_data.TryGetMemory(position, length, out var memory))
        {
            return LogReadResult.Borrowed(memory[..WholeBatchesLength(memory.Span, maxBytes, limit)]);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            if (_data.Read(position, buffer.AsSpan(0, length)) != length)
            {
                throw new InvalidDataException($"Segment {BaseOffset}: {length} bytes at position {position} could not be read back.");
            }

            return LogReadResult.Rented(buffer, WholeBatchesLength(buffer.AsSpan(0, length), maxBytes, limit));
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>
    /// The first record at or after <paramref name="logStartOffset"/> whose timestamp is at least
    /// <paramref name="timestamp"/>, in a batch that ends below <paramref name="limit"/>: (its offset,
    /// its timestamp), as Kafka answers ListOffsets. Batches whose max timestamp is lower are skipped
    /// by their headers; only a candidate batch is decoded. Null when there is none here.
    /// </summary>
    public (long Offset, long Timestamp)? FindOffsetForTimestamp(long timestamp, long logStartOffset, long limit)
    {
        var size = Size;
        var from = Math.Max(BaseOffset, logStartOffset);
        if (_timeIndex.FloorOffset(timestamp) is { } indexed && indexed > from)
        {
            from = indexed;
        }

        if (!TryLocate(from, size, out var position, out var header))
        {
            return null;
        }

        while (header.LastOffset < limit)
        {
            if (header.MaxTimestamp >= timestamp && FirstRecordAtOrAfter(position, header, timestamp, logStartOffset) is { } found)
            {
                return found;
            }

            position += header.TotalSize;
            if (position >= size)
            {
                break;
            }

            header = ReadHeaderAt(position);
        }

        return null;
    }

    /// <summary>
    /// Scans every batch, checking its length, offsets and CRC-32C, and rebuilds both indexes from
    /// what it finds. Cuts the file at the first batch that is incomplete or damaged (a torn write)
    /// and reports the bytes dropped in <paramref name="truncatedBytes"/>. A <paramref name="closed"/>
    /// segment gets its final time index entry. Returns the offset after the last whole batch.
    /// </summary>
    public long Recover(int indexIntervalBytes, bool closed, ILogger logger, string logName, out long truncatedBytes)
    {
        _offsetIndex.Clear();
        _timeIndex.Clear();
        Volatile.Write(ref _maxTimestamp, null);
        _rollingBaseTimestamp = -1;
        _bytesSinceLastIndexEntry = 0;

        var fileLength = _data.Length;
        var position = 0L;
        var nextOffset = BaseOffset;
        string? problem = null;
        var scratch = ArrayPool<byte>.Shared.Rent(ScratchSize);
        try
        {
            while (position < fileLength)
            {
                problem = CheckBatch(position, fileLength, nextOffset, scratch, out var header);
                if (problem is not null)
                {
                    break;
                }

                Track(header, position, indexIntervalBytes);
                nextOffset = header.LastOffset + 1;
                position += header.TotalSize;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }

        truncatedBytes = fileLength - position;
        if (problem is not null)
        {
            _data.Truncate(position);
            StorageLogging.TruncatedInvalidTail(logger, logName, BaseOffset, position, truncatedBytes, problem);
        }

        if (closed)
        {
            AppendFinalTimeIndexEntry();
        }

        return nextOffset;
    }

    /// <summary>
    /// Takes the state of a segment closed cleanly (not the last one) from its indexes without
    /// reading its batches. False when the indexes look wrong: call <see cref="Recover"/> then.
    /// </summary>
    public bool TryLoadClosed()
    {
        if (!_offsetIndex.LooksValid(Size) || !_timeIndex.LooksValid())
        {
            return false;
        }

        if (_timeIndex.LastEntry is { } last)
        {
            Volatile.Write(ref _maxTimestamp, new TimestampAndOffset(last.Timestamp, last.Offset));
            return true;
        }

        // A closed segment's time index ends with its max timestamp, so an empty one means it was
        // lost (or no batch had a timestamp, which a rebuild confirms cheaply enough).
        return Size == 0;
    }

    /// <summary>Removes the batch containing <paramref name="offset"/> and everything after it; returns the new next offset.</summary>
    public long TruncateTo(long offset, int indexIntervalBytes, ILogger logger, string logName)
    {
        if (TryLocate(offset, Size, out var position, out _))
        {
            _data.Truncate(position);
        }

        return Recover(indexIntervalBytes, closed: false, logger, logName, out _);
    }

    /// <summary>The segment stops being the active one: record its max timestamp in the time index and flush.</summary>
    public void OnRolled()
    {
        AppendFinalTimeIndexEntry();
        Flush();
    }

    public void Flush()
    {
        _data.Flush();
        _offsetIndex.Flush();
        _timeIndex.Flush();
    }

    public void Dispose()
    {
        _data.Dispose();
        _offsetIndex.Dispose();
        _timeIndex.Dispose();
    }

    /// <summary>Closes the segment and deletes its files.</summary>
    public void Delete(ILogDirectory directory)
    {
        Dispose();
        directory.Delete(LogFileNames.Log(BaseOffset));
        directory.Delete(LogFileNames.Index(BaseOffset));
        directory.Delete(LogFileNames.TimeIndex(BaseOffset));
    }

    /// <summary>Deletes the files of a segment that was never opened.</summary>
    public static void DeleteFiles(ILogDirectory directory, long baseOffset)
    {
        directory.Delete(LogFileNames.Log(baseOffset));
        directory.Delete(LogFileNames.Index(baseOffset));
        directory.Delete(LogFileNames.TimeIndex(baseOffset));
    }

    /// <summary>Length of the leading whole batches of <paramref name="region"/> (which starts with one) to return.</summary>
    private static int WholeBatchesLength(ReadOnlySpan<byte> region, int maxBytes, long limit)
    {
        RecordBatchHeader.TryRead(region, out var first);
        var end = first.TotalSize;
        while (RecordBatchHeader.TryRead(region[end..], out var next))
        {
            var nextEnd = (long)end + next.TotalSize;
            if (next.LastOffset >= limit || nextEnd > region.Length || nextEnd > maxBytes)
            {
                break;
            }

            end = (int)nextEnd;
        }

        return end;
    }

    /// <summary>Finds the first batch ending at or after <paramref name="offset"/>, starting from the index's nearest entry.</summary>
    private bool TryLocate(long offset, long size, out long position, out RecordBatchHeader header)
    {
        position = _offsetIndex.FloorPosition(offset);
        while (position < size)
        {
            header = ReadHeaderAt(position);
            if (header.LastOffset >= offset)
            {
                return true;
            }

            position += header.TotalSize;
        }

        header = default;
        return false;
    }

    /// <summary>The first record of the batch at <paramref name="position"/> with timestamp at least <paramref name="timestamp"/> and offset at least <paramref name="logStartOffset"/>.</summary>
    private (long Offset, long Timestamp)? FirstRecordAtOrAfter(long position, RecordBatchHeader header, long timestamp, long logStartOffset)
    {
        if (header.IsControl || header.LastOffset < logStartOffset)
        {
            return null;
        }

        if (header.TimestampType == TimestampType.LogAppendTime)
        {
            // Every record of a log-append-time batch carries the batch's max timestamp.
            return (Math.Max(header.BaseOffset, logStartOffset), header.MaxTimestamp);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(header.TotalSize);
        try
        {
            if (_data.Read(position, buffer.AsSpan(0, header.TotalSize)) != header.TotalSize)
            {
                return null;
            }

            var batch = RecordBatch.Parse(buffer.AsMemory(0, header.TotalSize));
            using var records = batch.DecodeRecords();
            foreach (var record in records)
            {
                if (record.Timestamp >= timestamp && record.Offset >= logStartOffset)
                {
                    return (record.Offset, record.Timestamp);
                }
            }

            return null;
        }
        catch (Samsa.Protocol.ProtocolException)
        {
            // A batch the log accepted should decode; if it does not, answer at batch granularity rather than fail the lookup.
            return (Math.Max(header.BaseOffset, logStartOffset), header.MaxTimestamp);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private RecordBatchHeader ReadHeaderAt(long position)
    {
        Span<byte> bytes = stackalloc byte[RecordBatchHeader.Size];
        if (_data.Read(position, bytes) != bytes.Length || !RecordBatchHeader.TryRead(bytes, out var header))
        {
            throw new InvalidDataException($"Segment {BaseOffset}: no whole batch header at position {position}.");
        }

        return header;
    }

    /// <summary>Null when a whole, undamaged batch following <paramref name="nextOffset"/> starts at <paramref name="position"/>; otherwise what is wrong.</summary>
    private string? CheckBatch(long position, long fileLength, long nextOffset, byte[] scratch, out RecordBatchHeader header)
    {
        header = default;
        var remaining = fileLength - position;
        if (remaining < RecordBatchHeader.Size)
        {
            return $"{remaining} byte(s) left, less than a batch header";
        }

        Span<byte> bytes = stackalloc byte[RecordBatchHeader.Size];
        if (_data.Read(position, bytes) != bytes.Length)
        {
            return "the batch header could not be read";
        }

        var magic = (sbyte)bytes[RecordBatchHeader.MagicOffset];
        if (magic != 2)
        {
            return $"magic {magic} instead of 2";
        }

        var batchLength = BinaryPrimitives.ReadInt32BigEndian(bytes[RecordBatchHeader.BatchLengthOffset..]);
        if (batchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead)
        {
            return $"batch length {batchLength} is shorter than a batch header";
        }

        if (batchLength + (long)RecordBatchHeader.LogOverhead > remaining)
        {
            return $"the batch needs {batchLength + (long)RecordBatchHeader.LogOverhead} bytes but {remaining} remain";
        }

        RecordBatchHeader.TryRead(bytes, out header);
        if (header.LastOffsetDelta < 0 || header.BaseOffset < nextOffset || header.LastOffset - BaseOffset > int.MaxValue)
        {
            return $"offsets {header.BaseOffset} to {header.LastOffset} do not follow offset {nextOffset - 1} in a segment starting at {BaseOffset}";
        }

        if (!BatchCrc.IsValid(_data, position, header.TotalSize, header.Crc, scratch))
        {
            return $"CRC-32C mismatch in the batch at offset {header.BaseOffset}";
        }

        return null;
    }

    /// <summary>Counts a batch just written (or found by recovery) at <paramref name="position"/>: timestamps and index entries.</summary>
    private void Track(in RecordBatchHeader header, long position, int indexIntervalBytes)
    {
        if (position == 0)
        {
            _rollingBaseTimestamp = header.MaxTimestamp;
        }

        var max = _maxTimestamp;
        if (header.MaxTimestamp > (max?.Timestamp ?? -1))
        {
            max = new TimestampAndOffset(header.MaxTimestamp, header.LastOffset);
            Volatile.Write(ref _maxTimestamp, max);
        }

        if (_bytesSinceLastIndexEntry > indexIntervalBytes)
        {
            _offsetIndex.Append(header.BaseOffset, position);
            if (max is not null)
            {
                _timeIndex.MaybeAppend(max.Timestamp, max.Offset);
            }

            _bytesSinceLastIndexEntry = 0;
        }

        _bytesSinceLastIndexEntry += header.TotalSize;
    }

    private void AppendFinalTimeIndexEntry()
    {
        if (_maxTimestamp is { } max)
        {
            _timeIndex.MaybeAppend(max.Timestamp, max.Offset);
        }
    }

    /// <summary>Immutable, so readers see the pair change at once.</summary>
    private sealed record TimestampAndOffset(long Timestamp, long Offset);
}
