using System.Buffers.Binary;

namespace Samsa.Broker.Storage;

/// <summary>
/// The sparse time index of one segment (<c>.timeindex</c>): entries of (timestamp: int64, offset
/// relative to the segment's base offset: int32), big-endian. An entry (T, O) says the largest
/// batch max timestamp so far in the segment is T, first reached by the batch ending at offset O.
/// Entries are written alongside offset index entries when T has grown, and once more when the
/// segment closes, so the last entry of a closed segment holds its max timestamp. Timestamps and
/// offsets both strictly increase.
/// </summary>
internal sealed class TimeIndex : IDisposable
{
    public const int EntrySize = 12;

    private readonly ILogFile _file;
    private readonly long _baseOffset;
    private long _lastTimestamp = -1;

    public TimeIndex(ILogFile file, long baseOffset)
    {
        _file = file;
        _baseOffset = baseOffset;
        if (LastEntry is { } last)
        {
            _lastTimestamp = last.Timestamp;
        }
    }

    public int EntryCount => (int)(_file.Length / EntrySize);

    /// <summary>The last entry, or null when the index is empty or not whole.</summary>
    public (long Timestamp, long Offset)? LastEntry =>
        _file.Length % EntrySize == 0 && EntryCount > 0 ? ReadEntry(EntryCount - 1) : null;

    /// <summary>Adds (timestamp, offset) when <paramref name="timestamp"/> is larger than the last entry's.</summary>
    public void MaybeAppend(long timestamp, long offset)
    {
        if (timestamp <= _lastTimestamp)
        {
            return;
        }

        Span<byte> entry = stackalloc byte[EntrySize];
        BinaryPrimitives.WriteInt64BigEndian(entry, timestamp);
        BinaryPrimitives.WriteInt32BigEndian(entry[8..], checked((int)(offset - _baseOffset)));
        _file.Append(entry);
        _lastTimestamp = timestamp;
    }

    /// <summary>
    /// The offset of the last entry whose timestamp is below <paramref name="timestamp"/>, or null.
    /// The batch containing that offset and every batch before it have a smaller max timestamp, so
    /// a search for the first batch reaching <paramref name="timestamp"/> can start there.
    /// </summary>
    public long? FloorOffset(long timestamp)
    {
        var low = 0;
        var high = EntryCount - 1;
        long? offset = null;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var entry = ReadEntry(middle);
            if (entry.Timestamp < timestamp)
            {
                offset = entry.Offset;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return offset;
    }

    /// <summary>True when the file holds whole entries whose offsets lie in the segment (checks the first and last entries).</summary>
    public bool LooksValid()
    {
        if (_file.Length % EntrySize != 0)
        {
            return false;
        }

        if (EntryCount == 0)
        {
            return true;
        }

        var first = ReadEntry(0);
        var last = ReadEntry(EntryCount - 1);
        return first.Offset >= _baseOffset && last.Offset >= first.Offset && last.Timestamp >= first.Timestamp;
    }

    public void Clear()
    {
        _file.Truncate(0);
        _lastTimestamp = -1;
    }

    public void Flush() => _file.Flush();

    public void Dispose() => _file.Dispose();

    private (long Timestamp, long Offset) ReadEntry(int index)
    {
        Span<byte> entry = stackalloc byte[EntrySize];
        if (_file.Read((long)index * EntrySize, entry) != EntrySize)
        {
            throw new InvalidDataException($"Time index entry {index} of the segment at {_baseOffset} is incomplete.");
        }

        return (BinaryPrimitives.ReadInt64BigEndian(entry), _baseOffset + BinaryPrimitives.ReadInt32BigEndian(entry[8..]));
    }
}
