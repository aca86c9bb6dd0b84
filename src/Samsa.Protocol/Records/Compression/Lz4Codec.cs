using System.Buffers;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using K4os.Compression.LZ4.Streams.Adapters;
using K4os.Compression.LZ4.Streams.Frames;

namespace Samsa.Protocol.Records.Compression;

/// <summary>
/// LZ4 frame format, as Kafka (magic 1 and later) and librdkafka use it. Writes 64 KiB independent
/// blocks without checksums or content size, the layout the Java client writes and every client reads.
/// </summary>
internal static class Lz4Codec
{
    private const int BlockSize = 64 * 1024;
    private const int ChunkSize = 64 * 1024;

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int? level)
    {
        var settings = new LZ4EncoderSettings
        {
            BlockSize = BlockSize,
            ChainBlocks = false,
            ContentChecksum = false,
            BlockChecksum = false,
            ContentLength = null,
            CompressionLevel = MapLevel(level),
        };
        LZ4Frame.Encode(source, destination, settings);
    }

    private static LZ4Level MapLevel(int? level) => level switch
    {
        null or < 3 => LZ4Level.L00_FAST,
        > 12 => LZ4Level.L12_MAX,
        _ => (LZ4Level)level.Value,
    };

    public static unsafe void Decompress(ReadOnlySpan<byte> source, ref DecompressionSink sink)
    {
        fixed (byte* start = source)
        {
            using var reader = new ByteSpanLZ4FrameReader(UnsafeByteSpan.Create(start, source.Length), descriptor => descriptor.CreateDecoder());
            while (true)
            {
                var span = sink.GetSpan(ChunkSize);
                var read = reader.ReadManyBytes(span, interactive: false);
                if (read > 0)
                {
                    sink.Advance(read);
                    continue;
                }

                // A frame ended: go on with the next concatenated frame, if any.
                if (!reader.OpenFrame())
                {
                    return;
                }
            }
        }
    }
}
