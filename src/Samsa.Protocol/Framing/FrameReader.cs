using System.Buffers;
using System.Buffers.Binary;

namespace Samsa.Protocol.Framing;

/// <summary>Cuts size-prefixed Kafka frames out of a byte stream.</summary>
public static class FrameReader
{
    /// <summary>Bytes of the int32 size that precedes every frame.</summary>
    public const int SizePrefixLength = 4;

    /// <summary>
    /// When <paramref name="buffer"/> starts with a whole frame, returns its body (without the size
    /// prefix) in <paramref name="frame"/> and moves <paramref name="buffer"/> past it. Returns false
    /// when more bytes are needed. The declared size is checked against <paramref name="maxFrameSize"/>
    /// before any of the body is looked at.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameSize, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (buffer.Length < SizePrefixLength)
        {
            return false;
        }

        int size;
        var first = buffer.FirstSpan;
        if (first.Length >= SizePrefixLength)
        {
            size = BinaryPrimitives.ReadInt32BigEndian(first);
        }
        else
        {
            Span<byte> prefix = stackalloc byte[SizePrefixLength];
            buffer.Slice(0, SizePrefixLength).CopyTo(prefix);
            size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        }

        if (size < 0)
        {
            throw new ProtocolException($"Invalid frame size {size}: a frame size cannot be negative.");
        }

        if (size > maxFrameSize)
        {
            throw new ProtocolException($"Frame size {size} exceeds the limit of {maxFrameSize} bytes.");
        }

        if (buffer.Length - SizePrefixLength < size)
        {
            return false;
        }

        frame = buffer.Slice(SizePrefixLength, size);
        buffer = buffer.Slice(SizePrefixLength + size);
        return true;
    }
}
