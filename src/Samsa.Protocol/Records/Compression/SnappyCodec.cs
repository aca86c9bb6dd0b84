using System.Buffers;
using System.Buffers.Binary;
using Snappier;

namespace Samsa.Protocol.Records.Compression;

/// <summary>
/// Snappy in both forms Kafka meets: one plain snappy block (librdkafka), and the snappy-java
/// ("xerial") framing the Java client writes: an 8-byte magic, int32 version, int32 minimum
/// compatible version, then chunks of [int32 big-endian compressed length, snappy block].
/// </summary>
internal static class SnappyCodec
{
    private const int XerialVersion = 1;
    private const int XerialMinCompatibleVersion = 1;
    private const int XerialHeaderSize = 16;

    /// <summary>The xerial magic. A plain snappy block cannot start with it: its first element would be a copy with nothing to copy from.</summary>
    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0x00];

    public static bool IsXerial(ReadOnlySpan<byte> source) => source.StartsWith(XerialMagic);

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, bool xerial, int chunkSize)
    {
        if (!xerial)
        {
            CompressBlock(source, destination);
            return;
        }

        if (chunkSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "The xerial chunk size must be positive.");
        }

        var header = destination.GetSpan(XerialHeaderSize);
        XerialMagic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], XerialVersion);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], XerialMinCompatibleVersion);
        destination.Advance(XerialHeaderSize);

        while (!source.IsEmpty)
        {
            var chunk = source[..Math.Min(chunkSize, source.Length)];
            source = source[chunk.Length..];
            var span = destination.GetSpan(4 + Snappy.GetMaxCompressedLength(chunk.Length));
            var written = Snappy.Compress(chunk, span[4..]);
            BinaryPrimitives.WriteInt32BigEndian(span, written);
            destination.Advance(4 + written);
        }
    }

    private static void CompressBlock(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        var span = destination.GetSpan(Snappy.GetMaxCompressedLength(source.Length));
        destination.Advance(Snappy.Compress(source, span));
    }

    public static void Decompress(ReadOnlySpan<byte> source, ref DecompressionSink sink)
    {
        if (!IsXerial(source))
        {
            DecompressBlock(source, ref sink, -1);
            return;
        }

        if (source.Length < XerialHeaderSize)
        {
            throw new ProtocolException($"Xerial snappy data of {source.Length} bytes is shorter than its {XerialHeaderSize}-byte header.");
        }

        var position = XerialHeaderSize;
        while (position < source.Length)
        {
            if (source.Length - position < 4)
            {
                throw new ProtocolException($"Xerial snappy chunk length at byte {position} is truncated: {source.Length - position} byte(s) remain.");
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(source[position..]);
            position += 4;
            if (length <= 0 || length > source.Length - position)
            {
                throw new ProtocolException($"Xerial snappy chunk length {length} at byte {position - 4} is invalid: {source.Length - position} byte(s) remain.");
            }

            DecompressBlock(source.Slice(position, length), ref sink, position);
            position += length;
        }
    }

    private static void DecompressBlock(ReadOnlySpan<byte> block, ref DecompressionSink sink, int at)
    {
        var size = Snappy.GetUncompressedLength(block);
        if (size < 0)
        {
            throw new ProtocolException($"Snappy block{Where(at)} declares a negative length {size}.");
        }

        sink.EnsureRoom(size);
        if (size == 0)
        {
            // An empty block still has to be a valid one.
            Snappy.Decompress(block, []);
            return;
        }

        var span = sink.GetSpan(size)[..size];
        var written = Snappy.Decompress(block, span);
        if (written != size)
        {
            throw new ProtocolException($"Snappy block{Where(at)} declared {size} bytes but produced {written}.");
        }

        sink.Advance(written);
    }

    /// <summary>Decompresses one plain block into a new array of exactly its stated size.</summary>
    public static byte[] DecompressBlockToArray(ReadOnlySpan<byte> block, int limit)
    {
        var size = Snappy.GetUncompressedLength(block);
        if (size < 0 || size > limit)
        {
            throw new ProtocolException($"Snappy block declares {size} bytes, outside the decompression limit of {limit} bytes.");
        }

        var result = GC.AllocateUninitializedArray<byte>(size);
        var written = Snappy.Decompress(block, result);
        if (written != size)
        {
            throw new ProtocolException($"Snappy block declared {size} bytes but produced {written}.");
        }

        return result;
    }

    private static string Where(int at) => at < 0 ? string.Empty : $" at byte {at}";
}
