using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace Samsa.Protocol.Records.Compression;

/// <summary>
/// Gzip (RFC 1952) through System.IO.Compression. <see cref="GZipStream"/> stops quietly at a
/// truncated end and ignores bytes after the member, so decoding also checks the 8-byte trailer
/// (CRC-32 and length of the data) against what came out. That limits reading to one gzip member,
/// which is what Kafka clients write.
/// </summary>
internal static class GzipCodec
{
    private const int DefaultLevel = 6;
    private const int ChunkSize = 64 * 1024;
    private const int TrailerSize = 8;

    /// <summary>10-byte header, the 2-byte empty deflate block and the trailer.</summary>
    private const int MinimumSize = 20;

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int? level)
    {
        using var output = new BufferWriterStream(destination);
        var options = new ZLibCompressionOptions { CompressionLevel = level ?? DefaultLevel };
        using var gzip = new GZipStream(output, options, leaveOpen: true);
        gzip.Write(source);
    }

    public static unsafe void Decompress(ReadOnlySpan<byte> source, ref DecompressionSink sink)
    {
        if (source.Length < MinimumSize)
        {
            throw new ProtocolException($"Gzip data of {source.Length} bytes is shorter than the {MinimumSize}-byte minimum.");
        }

        var crc = new Crc32();
        var start = sink.Written;
        fixed (byte* pointer = source)
        {
            using var input = new UnmanagedMemoryStream(pointer, source.Length);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            while (true)
            {
                var span = sink.GetSpan(ChunkSize);
                var read = gzip.Read(span);
                if (read == 0)
                {
                    break;
                }

                crc.Append(span[..read]);
                sink.Advance(read);
            }
        }

        var trailer = source[^TrailerSize..];
        var expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        var expectedLength = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        var actualCrc = crc.GetCurrentHashAsUInt32();
        var actualLength = (uint)(sink.Written - start);
        if (expectedCrc != actualCrc || expectedLength != actualLength)
        {
            throw new ProtocolException(
                $"Gzip data is truncated, has trailing bytes or spans several members: its trailer says CRC 0x{expectedCrc:X8} over {expectedLength} bytes, the data decoded to CRC 0x{actualCrc:X8} over {actualLength} bytes.");
        }
    }
}
