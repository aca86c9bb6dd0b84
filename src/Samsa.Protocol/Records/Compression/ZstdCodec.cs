using System.Buffers;
using System.Numerics;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Samsa.Protocol.Records.Compression;

/// <summary>
/// Zstandard frames. Decompression streams, so frames without a content size (librdkafka and the
/// Java client write those) and concatenated frames decode too.
/// </summary>
internal static class ZstdCodec
{
    private const int DefaultLevel = 3;
    private const int ChunkSize = 128 * 1024;

    // zstd's own default ceiling for the window (128 MiB).
    private const int MaxWindowLog = 27;

    // Smallest ceiling we impose: every level up to 19 fits in an 8 MiB window.
    private const int MinWindowLog = 23;

    [ThreadStatic]
    private static Compressor? t_compressor;

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int? level)
    {
        var compressor = t_compressor ??= new Compressor(DefaultLevel);
        var wanted = level ?? DefaultLevel;
        if (compressor.Level != wanted)
        {
            compressor.Level = wanted;
        }

        var span = destination.GetSpan(Compressor.GetCompressBound(source.Length));
        destination.Advance(compressor.Wrap(source, span));
    }

    public static void Decompress(ReadOnlySpan<byte> source, ref DecompressionSink sink, int limit)
    {
        using var decompressor = new Decompressor();

        // The window is memory the decoder allocates up front, so it obeys the same limit as the output.
        decompressor.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, WindowLogFor(limit));

        var consumedTotal = 0;
        while (true)
        {
            var span = sink.GetSpan(ChunkSize);
            var status = decompressor.UnwrapStream(source[consumedTotal..], span, out var consumed, out var written);
            consumedTotal += consumed;
            sink.Advance(written);
            switch (status)
            {
                case OperationStatus.Done:
                    return;
                case OperationStatus.DestinationTooSmall:
                    continue;
                case OperationStatus.NeedMoreData:
                    throw new ProtocolException($"Truncated zstd data: the frame is incomplete after {source.Length} bytes.");
                default:
                    throw new ProtocolException($"Corrupt zstd data near byte {consumedTotal}.");
            }
        }
    }

    private static int WindowLogFor(int limit)
    {
        var log = 32 - BitOperations.LeadingZeroCount((uint)Math.Max(limit - 1, 1));
        return Math.Clamp(log, MinWindowLog, MaxWindowLog);
    }
}
