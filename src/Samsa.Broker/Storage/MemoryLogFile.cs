namespace Samsa.Broker.Storage;

/// <summary>
/// A file kept in a byte array. Bytes below <see cref="Length"/> are never overwritten: appends
/// write past the end (growing into a new array when needed) and truncation copies the kept bytes
/// into a new array. That is what lets <see cref="TryGetMemory"/> lend views without an owner.
/// Disposing does nothing: the content belongs to its <see cref="MemoryLogDirectory"/>.
/// </summary>
internal sealed class MemoryLogFile : ILogFile
{
    private const int MinimumCapacity = 256;

    // Published in this order by the writer: the array, then the length. Readers read the length
    // first, so the array they read next always holds at least that many bytes.
    private byte[] _buffer = [];
    private long _length;

    public long Length => Volatile.Read(ref _length);

    public void Append(ReadOnlySpan<byte> data)
    {
        var length = _length;
        var required = length + data.Length;
        if (required > Array.MaxLength)
        {
            throw new IOException($"A memory log file cannot grow past {Array.MaxLength} bytes.");
        }

        var buffer = _buffer;
        if (required > buffer.Length)
        {
            var grown = new byte[Math.Min(Array.MaxLength, Math.Max(required, Math.Max(MinimumCapacity, 2L * buffer.Length)))];
            buffer.AsSpan(0, (int)length).CopyTo(grown);
            Volatile.Write(ref _buffer, grown);
            buffer = grown;
        }

        data.CopyTo(buffer.AsSpan((int)length));
        Volatile.Write(ref _length, required);
    }

    public int Read(long position, Span<byte> destination)
    {
        var length = Length;
        var buffer = Volatile.Read(ref _buffer);
        var available = Math.Min(length, buffer.Length) - position;
        if (available <= 0)
        {
            return 0;
        }

        var count = (int)Math.Min(destination.Length, available);
        buffer.AsSpan((int)position, count).CopyTo(destination);
        return count;
    }

    public bool TryGetMemory(long position, int length, out ReadOnlyMemory<byte> memory)
    {
        var visible = Length;
        var buffer = Volatile.Read(ref _buffer);
        if (position < 0 || length < 0 || position + length > Math.Min(visible, buffer.Length))
        {
            memory = default;
            return false;
        }

        memory = buffer.AsMemory((int)position, length);
        return true;
    }

    public void Truncate(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length >= _length)
        {
            return;
        }

        var kept = _buffer.AsSpan(0, (int)length).ToArray();
        Volatile.Write(ref _length, length);
        Volatile.Write(ref _buffer, kept);
    }

    public void Flush()
    {
    }

    public void Dispose()
    {
    }
}
