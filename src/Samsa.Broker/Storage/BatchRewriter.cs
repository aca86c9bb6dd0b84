using System.Buffers.Binary;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Storage;

/// <summary>
/// Rewrites the headers of batches being appended: base offsets (outside the CRC, so the CRC
/// stays valid) and, for log-append-time topics, the timestamp type and max timestamp (inside the
/// CRC, so it is recomputed).
/// </summary>
internal static class BatchRewriter
{
    /// <summary>
    /// Gives the batches in <paramref name="batches"/> consecutive offsets from <paramref name="nextOffset"/>
    /// on, in place. With <paramref name="logAppendTime"/> of 0 or more, also stamps that time.
    /// Throws <see cref="ArgumentException"/> when the bytes are not whole magic-2 batches.
    /// </summary>
    public static LogAppendInfo AssignOffsets(Span<byte> batches, long nextOffset, long logAppendTime)
    {
        if (batches.IsEmpty)
        {
            throw new ArgumentException("Nothing to append: no record batches.", nameof(batches));
        }

        var firstOffset = nextOffset;
        var maxTimestamp = -1L;
        var recordCount = 0L;
        var position = 0;
        while (position < batches.Length)
        {
            var header = ReadWholeBatchHeader(batches, position);
            var batch = batches.Slice(position, header.TotalSize);
            RecordBatchHeader.WriteBaseOffset(batch, nextOffset);
            if (logAppendTime >= 0)
            {
                StampLogAppendTime(batch, header.Attributes, logAppendTime);
                maxTimestamp = logAppendTime;
            }
            else
            {
                maxTimestamp = Math.Max(maxTimestamp, header.MaxTimestamp);
            }

            nextOffset += header.LastOffsetDelta + 1L;
            recordCount += header.RecordCount;
            position += header.TotalSize;
        }

        return new LogAppendInfo(firstOffset, nextOffset - 1, logAppendTime >= 0 ? logAppendTime : -1, maxTimestamp, recordCount);
    }

    /// <summary>
    /// Checks batches that already carry their offsets (a follower copying a leader's log, which
    /// compaction may have left with gaps): each must start at or after <paramref name="nextOffset"/>
    /// and after the previous one. Nothing is rewritten. Throws <see cref="ArgumentException"/>
    /// otherwise, or when the bytes are not whole magic-2 batches.
    /// </summary>
    public static LogAppendInfo CheckOffsets(ReadOnlySpan<byte> batches, long nextOffset)
    {
        if (batches.IsEmpty)
        {
            throw new ArgumentException("Nothing to append: no record batches.", nameof(batches));
        }

        var firstOffset = -1L;
        var maxTimestamp = -1L;
        var recordCount = 0L;
        var position = 0;
        while (position < batches.Length)
        {
            var header = ReadWholeBatchHeader(batches, position);
            if (header.BaseOffset < nextOffset)
            {
                throw new ArgumentException($"The batch at position {position} starts at offset {header.BaseOffset}, below the next offset {nextOffset}.", nameof(batches));
            }

            firstOffset = firstOffset < 0 ? header.BaseOffset : firstOffset;
            maxTimestamp = Math.Max(maxTimestamp, header.MaxTimestamp);
            nextOffset = header.LastOffset + 1;
            recordCount += header.RecordCount;
            position += header.TotalSize;
        }

        return new LogAppendInfo(firstOffset, nextOffset - 1, -1, maxTimestamp, recordCount);
    }

    private static RecordBatchHeader ReadWholeBatchHeader(ReadOnlySpan<byte> batches, int position)
    {
        var remaining = batches[position..];
        if (!RecordBatchHeader.TryRead(remaining, out var header))
        {
            throw new ArgumentException($"Only {remaining.Length} byte(s) left at position {position}: not a whole record batch header.", nameof(batches));
        }

        if (header.TotalSize > remaining.Length)
        {
            throw new ArgumentException($"The batch at position {position} declares {header.TotalSize} bytes but {remaining.Length} remain.", nameof(batches));
        }

        if (header.LastOffsetDelta < 0)
        {
            throw new ArgumentException($"The batch at position {position} has a negative last offset delta {header.LastOffsetDelta}.", nameof(batches));
        }

        return header;
    }

    private static void StampLogAppendTime(Span<byte> batch, short attributes, long now)
    {
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..], (short)(attributes | RecordBatchHeader.TimestampTypeMask));
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.MaxTimestampOffset..], now);
        BatchCrc.Update(batch);
    }
}
