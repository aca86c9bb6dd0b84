using System.Buffers.Binary;

namespace Samsa.Broker.Storage;

/// <summary>
/// The sparse offset index of one segment (<c>.index</c>): entries of (offset relative to the
/// segment's base offset: int32, file position of the batch with that base offset: int32),
/// big-endian, in increasing order, one every <c>index.interval.bytes</c> of batches. A lookup is
/// a binary search over the file, so nothing of it is kept in memory.
/// </summary>
internal sealed class OffsetIndex(ILogFile file, long baseOffset) : IDisposable
{
    public const int EntrySize = 8;

    public int EntryCount => (int)(file.Length / EntrySize);

    /// <summary>Indexes the batch whose base offset is <paramref name="offset"/> at <paramref name="position"/>. Offsets must increase.</summary>
    public void Append(long offset, long position)
    {
        Span<byte> entry = stackalloc byte[EntrySize];
        BinaryPrimitives.WriteInt32BigEndian(entry, checked((int)(offset - baseOffset)));
        BinaryPrimitives.WriteInt32BigEndian(entry[4..], checked((int)position));
        file.Append(entry);
    }

    /// <summary>
    /// The position of the last indexed batch whose base offset is at most <paramref name="offset"/>,
    /// or 0 (the segment start) when there is none: the place to start scanning for that offset.
    /// </summary>
    public long FloorPosition(long offset)
    {
        var low = 0;
        var high = EntryCount - 1;
        var position = 0L;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var entry = ReadEntry(middle);
            if (entry.Offset <= offset)
            {
                position = entry.Position;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return position;
    }

    /// <summary>True when the file holds whole entries that point inside a segment of <paramref name="segmentSize"/> bytes (checks the first and last entries).</summary>
    public bool LooksValid(long segmentSize)
    {
        if (file.Length % EntrySize != 0)
        {
            return false;
        }

        var count = EntryCount;
        if (count == 0)
        {
            return true;
        }

        var first = ReadEntry(0);
        var last = ReadEntry(count - 1);
        return first.Offset >= baseOffset && first.Position >= 0 && last.Offset >= first.Offset && last.Position >= first.Position && last.Position < segmentSize;
    }

    public void Clear() => file.Truncate(0);

    public void Flush() => file.Flush();

    public void Dispose() => file.Dispose();

    private (long Offset, long Position) ReadEntry(int index)
    {
        Span<byte> entry = stackalloc byte[EntrySize];
        if (file.Read((long)index * EntrySize, entry) != EntrySize)
        {
            throw new InvalidDataException($"Offset index entry {index} of the segment at {baseOffset} is incomplete.");
        }

        return (baseOffset + BinaryPrimitives.ReadInt32BigEndian(entry), BinaryPrimitives.ReadInt32BigEndian(entry[4..]));
    }
}
