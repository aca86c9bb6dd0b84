using System.Buffers;

namespace Samsa.Protocol.Records.Compression;

/// <summary>
/// Compresses and decompresses the records section of a batch for each <see cref="CompressionType"/>.
/// Decompression is bounded by a size limit and reports every failure as a <see cref="ProtocolException"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The buffer-writer and array overloads share their optional settings; none has shipped, so adding them together breaks no compiled caller.")]
public static class RecordCompression
{
    /// <summary>Default ceiling on the decompressed size of one batch (64 MiB).</summary>
    public const int DefaultMaxDecompressedSize = 64 * 1024 * 1024;

    /// <summary>Compresses <paramref name="source"/> with <paramref name="codec"/> and appends the result to <paramref name="destination"/>.</summary>
    public static void Compress(CompressionType codec, ReadOnlySpan<byte> source, IBufferWriter<byte> destination, CompressionOptions? options = null)
    {
        options ??= CompressionOptions.Default;
        switch (codec)
        {
            case CompressionType.None:
                source.CopyTo(destination.GetSpan(source.Length));
                destination.Advance(source.Length);
                break;
            case CompressionType.Gzip:
                GzipCodec.Compress(source, destination, options.Level);
                break;
            case CompressionType.Snappy:
                SnappyCodec.Compress(source, destination, options.SnappyXerialFraming, options.SnappyXerialChunkSize);
                break;
            case CompressionType.Lz4:
                Lz4Codec.Compress(source, destination, options.Level);
                break;
            case CompressionType.Zstd:
                ZstdCodec.Compress(source, destination, options.Level);
                break;
            default:
                throw UnsupportedCodec(codec);
        }
    }

    /// <summary>Compresses <paramref name="source"/> into a new array.</summary>
    public static byte[] Compress(CompressionType codec, ReadOnlySpan<byte> source, CompressionOptions? options = null)
    {
        using var output = new PooledBufferWriter(Math.Max(256, source.Length / 2));
        Compress(codec, source, output, options);
        return output.ToArray();
    }

    /// <summary>
    /// Decompresses <paramref name="source"/> and appends the result to <paramref name="destination"/>;
    /// returns the number of bytes appended. Throws <see cref="ProtocolException"/> when the data is
    /// corrupt or would decompress to more than <paramref name="maxDecompressedSize"/> bytes; in that
    /// case <paramref name="destination"/> may hold a partial result.
    /// </summary>
    public static int Decompress(CompressionType codec, ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedSize = DefaultMaxDecompressedSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDecompressedSize);
        var limit = Math.Min(maxDecompressedSize, Array.MaxLength);
        var sink = new DecompressionSink(destination, limit, codec);
        if (codec == CompressionType.None)
        {
            sink.EnsureRoom(source.Length);
            source.CopyTo(destination.GetSpan(source.Length));
            sink.Advance(source.Length);
            return sink.Written;
        }

        if (source.IsEmpty)
        {
            throw new ProtocolException($"Empty {codec} data: a compressed records section cannot be zero bytes.");
        }

        try
        {
            switch (codec)
            {
                case CompressionType.Gzip:
                    GzipCodec.Decompress(source, ref sink);
                    break;
                case CompressionType.Snappy:
                    SnappyCodec.Decompress(source, ref sink);
                    break;
                case CompressionType.Lz4:
                    Lz4Codec.Decompress(source, ref sink);
                    break;
                case CompressionType.Zstd:
                    ZstdCodec.Decompress(source, ref sink, limit);
                    break;
                default:
                    throw UnsupportedCodec(codec);
            }
        }
        catch (ProtocolException)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw Corrupt(codec, source.Length, ex);
        }

        return sink.Written;
    }

    /// <summary>Decompresses <paramref name="source"/> into a new array; see <see cref="Decompress(CompressionType, ReadOnlySpan{byte}, IBufferWriter{byte}, int)"/>.</summary>
    public static byte[] Decompress(CompressionType codec, ReadOnlySpan<byte> source, int maxDecompressedSize = DefaultMaxDecompressedSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDecompressedSize);
        if (codec == CompressionType.Snappy && !source.IsEmpty && !SnappyCodec.IsXerial(source))
        {
            // A plain snappy block states its size: decompress straight into the result.
            try
            {
                return SnappyCodec.DecompressBlockToArray(source, Math.Min(maxDecompressedSize, Array.MaxLength));
            }
            catch (ProtocolException)
            {
                throw;
            }
            catch (Exception ex)
            {
                throw Corrupt(codec, source.Length, ex);
            }
        }

        using var output = new PooledBufferWriter(InitialCapacity(source.Length, maxDecompressedSize));
        var written = Decompress(codec, source, output, maxDecompressedSize);
        var result = GC.AllocateUninitializedArray<byte>(written);
        output.WrittenSpan.CopyTo(result);
        return result;
    }

    /// <summary>A first buffer size for decompressing <paramref name="compressedLength"/> bytes: a guess at the ratio, never above the limit.</summary>
    internal static int InitialCapacity(int compressedLength, int maxDecompressedSize) =>
        (int)Math.Clamp(4L * compressedLength, 256, Math.Max(256, Math.Min(maxDecompressedSize, 4 * 1024 * 1024)));

    private static ProtocolException Corrupt(CompressionType codec, int length, Exception inner) =>
        new($"Corrupt {codec} data ({length} bytes): {inner.Message}", inner);

    private static ProtocolException UnsupportedCodec(CompressionType codec) =>
        new($"Unsupported compression codec {(int)codec}: record batches use 0 (none) to 4 (zstd).");
}
