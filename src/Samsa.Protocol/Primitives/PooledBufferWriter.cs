using System.Buffers;

namespace Samsa.Protocol;

/// <summary>
/// A growable, contiguous <see cref="IBufferWriter{T}"/> over arrays rented from
/// <see cref="ArrayPool{T}.Shared"/>. Contiguity lets framing patch a size prefix after the
/// body is written. Dispose returns the buffer.
/// </summary>
public sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _written;

    /// <summary>Rents a first buffer of at least <paramref name="initialCapacity"/> bytes.</summary>
    public PooledBufferWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(16, initialCapacity));
    }

    /// <summary>Bytes written so far.</summary>
    public int WrittenCount => _written;

    /// <summary>Bytes the current buffer can hold before it grows.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    /// <summary>The bytes written so far, as memory valid until the next write or <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    /// <summary>The written bytes as a writable span, for patching prefixes in place.</summary>
    public Span<byte> WrittenSpanMutable => _buffer.AsSpan(0, _written);

    /// <inheritdoc/>
    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _written))
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _written += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Forgets what was written but keeps the buffer.</summary>
    public void Clear() => _written = 0;

    /// <summary>Copies the written bytes into a new array.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    private void Ensure(int sizeHint)
    {
        if (sizeHint < 1)
        {
            sizeHint = 1;
        }

        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }

        var needed = (long)_written + sizeHint;
        var size = Math.Max(needed, Math.Min((long)_buffer.Length * 2, Array.MaxLength));
        if (size > Array.MaxLength)
        {
            throw new InvalidOperationException("PooledBufferWriter cannot grow past Array.MaxLength.");
        }

        var next = ArrayPool<byte>.Shared.Rent((int)size);
        _buffer.AsSpan(0, _written).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }

    /// <summary>Returns the buffer to the pool; the writer must not be used afterwards.</summary>
    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
