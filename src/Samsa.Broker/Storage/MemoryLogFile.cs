namespace Samsa.Broker.Storage;

/// <summary>
/// A file kept in memory as a list of chunks (4 KiB doubling up to 1 MiB, so an idle partition costs
/// little), so appending never copies what is already
/// stored (a single growing array would copy the whole segment on every doubling and churn the large
/// object heap). Bytes below <see cref="Length"/> are never overwritten: appends write past the end
/// and truncation copies the kept tail chunk. That is what lets <see cref="TryGetMemory"/> lend views
/// without an owner; a range that spans two chunks is not lent, and readers copy it instead.
/// Disposing does nothing: the content belongs to its <see cref="MemoryLogDirectory"/>.
/// </summary>
internal sealed class MemoryLogFile : ILogFile
{
    /// <summary>Largest chunk: big enough that a batch rarely straddles two chunks.</summary>
    public const int ChunkSize = 1 << 20;

    private const int FirstChunkSize = 4096;
    private const int DoublingChunks = 8;
    private const long DoublingBytes = FirstChunkSize * ((1L << DoublingChunks) - 1);

    private static int SizeOf(int chunk) => chunk < DoublingChunks ? FirstChunkSize << chunk : ChunkSize;

    private static long StartOf(int chunk) =>
        chunk <= DoublingChunks ? FirstChunkSize * ((1L << chunk) - 1) : DoublingBytes + ((long)(chunk - DoublingChunks) * ChunkSize);

    private static (int Chunk, int Offset) Locate(long position)
    {
        var chunk = position < DoublingBytes
            ? System.Numerics.BitOperations.Log2((ulong)(position / FirstChunkSize) + 1)
            : DoublingChunks + (int)((position - DoublingBytes) / ChunkSize);
        return (chunk, (int)(position - StartOf(chunk)));
    }

    // Published in this order by the writer: the chunk table, then the length. Readers read the
    // length first, so the table they read next always covers at least that many bytes.
    private byte[][] _chunks = [];
    private long _length;

    public long Length => Volatile.Read(ref _length);

    public void Append(ReadOnlySpan<byte> data)
    {
        var length = _length;
        if (length + data.Length > (long)int.MaxValue * ChunkSize)
        {
            throw new IOException("A memory log file cannot grow this large.");
        }

        var chunks = _chunks;
        var position = length;
        while (!data.IsEmpty)
        {
            var (index, offset) = Locate(position);
            if (index == chunks.Length)
            {
                var grown = new byte[chunks.Length + 1][];
                chunks.CopyTo(grown, 0);
                grown[^1] = new byte[SizeOf(index)];
                Volatile.Write(ref _chunks, grown);
                chunks = grown;
            }

            var count = Math.Min(data.Length, SizeOf(index) - offset);
            data[..count].CopyTo(chunks[index].AsSpan(offset));
            data = data[count..];
            position += count;
        }

        Volatile.Write(ref _length, position);
    }

    public int Read(long position, Span<byte> destination)
    {
        var length = Length;
        var chunks = Volatile.Read(ref _chunks);
        var available = Math.Min(length, StartOf(chunks.Length)) - position;
        if (available <= 0 || position < 0)
        {
            return 0;
        }

        var total = (int)Math.Min(destination.Length, available);
        var copied = 0;
        while (copied < total)
        {
            var (index, offset) = Locate(position + copied);
            var count = Math.Min(total - copied, SizeOf(index) - offset);
            chunks[index].AsSpan(offset, count).CopyTo(destination[copied..]);
            copied += count;
        }

        return total;
    }

    public bool TryGetMemory(long position, int length, out ReadOnlyMemory<byte> memory)
    {
        var visible = Length;
        var chunks = Volatile.Read(ref _chunks);
        if (position < 0 || length < 0 || position + length > visible)
        {
            memory = default;
            return false;
        }

        var (index, offset) = Locate(position);
        if (index >= chunks.Length || offset + length > SizeOf(index))
        {
            memory = default;
            return false;
        }

        memory = chunks[index].AsMemory(offset, length);
        return true;
    }

    public void Truncate(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length >= _length)
        {
            return;
        }

        // Lent views of the cut tail must keep their bytes, so the last kept chunk is copied, not cut in place.
        var (lastIndex, lastOffset) = length == 0 ? (-1, 0) : Locate(length - 1);
        var keptChunks = lastIndex + 1;
        var chunks = new byte[keptChunks][];
        Array.Copy(_chunks, chunks, keptChunks);
        if (keptChunks > 0)
        {
            var last = new byte[SizeOf(lastIndex)];
            _chunks[lastIndex].AsSpan(0, lastOffset + 1).CopyTo(last);
            chunks[^1] = last;
        }

        Volatile.Write(ref _length, length);
        Volatile.Write(ref _chunks, chunks);
    }

    public void Flush()
    {
    }

    public void Dispose()
    {
    }
}
