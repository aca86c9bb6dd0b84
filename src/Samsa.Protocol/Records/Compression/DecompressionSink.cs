using System.Buffers;

namespace Samsa.Protocol.Records.Compression;

/// <summary>
/// Output of a decompressor with a ceiling on the bytes it may produce. Spans handed out are
/// capped at one byte past the ceiling, so an overrun is seen after at most one extra byte and
/// memory never grows past the limit.
/// </summary>
internal ref struct DecompressionSink
{
    private readonly IBufferWriter<byte> _destination;
    private readonly int _limit;
    private readonly CompressionType _codec;
    private int _written;

    public DecompressionSink(IBufferWriter<byte> destination, int limit, CompressionType codec)
    {
        _destination = destination;
        _limit = limit;
        _codec = codec;
        _written = 0;
    }

    public readonly int Written => _written;

    /// <summary>Bytes that may still be written without passing the limit.</summary>
    public readonly int Remaining => _limit - _written;

    /// <summary>A non-empty span to decompress into, no longer than <see cref="Remaining"/> + 1.</summary>
    public readonly Span<byte> GetSpan(int sizeHint)
    {
        var room = _limit - _written + 1;
        var span = _destination.GetSpan(Math.Clamp(sizeHint, 1, room));
        return span.Length > room ? span[..room] : span;
    }

    public void Advance(int count)
    {
        _destination.Advance(count);
        _written += count;
        if (_written > _limit)
        {
            ThrowLimitExceeded(_written);
        }
    }

    /// <summary>Throws before anything is allocated when a declared size is already over the limit.</summary>
    public readonly void EnsureRoom(long declaredSize)
    {
        if (declaredSize > Remaining)
        {
            ThrowLimitExceeded(_written + declaredSize);
        }
    }

    private readonly void ThrowLimitExceeded(long size) =>
        throw new ProtocolException($"Decompressed {_codec} data exceeds the limit of {_limit} bytes (reached {size}).");
}
