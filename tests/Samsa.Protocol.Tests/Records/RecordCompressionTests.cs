using System.IO.Compression;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using K4os.Hash.xxHash;
using Samsa.Protocol.Records;
using Samsa.Protocol.Records.Compression;
using Snappier;
using ZstdSharp;

namespace Samsa.Protocol.Tests.Records;

public class RecordCompressionTests
{
    [Theory]
    [MemberData(nameof(TestData.CompressedCodecs), MemberType = typeof(TestData))]
    public void CompressDecompress_VariousSizes_RoundTrips(CompressionType codec)
    {
        foreach (var size in new[] { 1, 100, 65_536, 65_537, 300_000 })
        {
            var data = TestData.Compressible(size, size);
            var compressed = RecordCompression.Compress(codec, data);
            Assert.Equal(data, RecordCompression.Decompress(codec, compressed));
        }
    }

    [Theory]
    [MemberData(nameof(TestData.CompressedCodecs), MemberType = typeof(TestData))]
    public void CompressDecompress_IncompressibleData_RoundTrips(CompressionType codec)
    {
        var data = TestData.Random(200_000, 1);
        Assert.Equal(data, RecordCompression.Decompress(codec, RecordCompression.Compress(codec, data)));
    }

    [Theory]
    [InlineData(CompressionType.Gzip, 1)]
    [InlineData(CompressionType.Gzip, 9)]
    [InlineData(CompressionType.Lz4, 9)]
    [InlineData(CompressionType.Lz4, 12)]
    [InlineData(CompressionType.Zstd, 1)]
    [InlineData(CompressionType.Zstd, 19)]
    public void Compress_ExplicitLevel_RoundTrips(CompressionType codec, int level)
    {
        var data = TestData.Compressible(100_000, 4);
        var compressed = RecordCompression.Compress(codec, data, new CompressionOptions { Level = level });
        Assert.True(compressed.Length < data.Length);
        Assert.Equal(data, RecordCompression.Decompress(codec, compressed));
    }

    [Fact]
    public void Compress_SnappyDefault_WritesPlainBlock()
    {
        var data = TestData.Compressible(10_000, 2);
        var compressed = RecordCompression.Compress(CompressionType.Snappy, data);
        Assert.Equal(data, Snappy.DecompressToArray(compressed));
    }

    [Fact]
    public void Decompress_XerialFramedSnappyFromHand_Decodes()
    {
        // 200 KB in 32 KiB chunks: seven chunks, the last one short.
        var data = TestData.Compressible(200_000, 3);
        var framed = TestData.XerialFrame(data, 32 * 1024);
        Assert.Equal(data, RecordCompression.Decompress(CompressionType.Snappy, framed));
    }

    [Fact]
    public void Compress_XerialOption_WritesFramingThatDecodes()
    {
        var data = TestData.Compressible(100_000, 5);
        var compressed = RecordCompression.Compress(CompressionType.Snappy, data, new CompressionOptions { SnappyXerialFraming = true, SnappyXerialChunkSize = 16 * 1024 });
        Assert.Equal(0x82, compressed[0]);
        Assert.Equal("SNAPPY"u8.ToArray(), compressed[1..7]);
        Assert.Equal(data, RecordCompression.Decompress(CompressionType.Snappy, compressed));
        Assert.Equal(TestData.XerialFrame(data, 16 * 1024), compressed);
    }

    [Fact]
    public void Decompress_XerialHeaderOnly_ReturnsEmpty() =>
        Assert.Empty(RecordCompression.Decompress(CompressionType.Snappy, TestData.XerialFrame([], 1024)));

    [Fact]
    public void Decompress_XerialChunkLengthPastEnd_ThrowsProtocolException()
    {
        var framed = TestData.XerialFrame(TestData.Compressible(5000, 1), 1024);
        Assert.Throws<ProtocolException>(() => RecordCompression.Decompress(CompressionType.Snappy, framed.AsSpan(0, framed.Length - 3)));
    }

    [Fact]
    public void Decompress_ZstdFrameWithoutContentSize_Decodes()
    {
        // A streaming encoder does not know the size up front, as with librdkafka and the Java client.
        var data = TestData.Compressible(500_000, 6);
        using var compressed = new MemoryStream();
        using (var zstd = new CompressionStream(compressed, 3))
        {
            zstd.Write(data);
        }

        var bytes = compressed.ToArray();

        // Frame header descriptor: no content size field, not single-segment.
        Assert.Equal(0, bytes[4] & 0xE0);
        Assert.Equal(data, RecordCompression.Decompress(CompressionType.Zstd, bytes));
    }

    [Fact]
    public void Decompress_ConcatenatedZstdFrames_DecodesAll()
    {
        var first = TestData.Compressible(1000, 1);
        var second = TestData.Compressible(2000, 2);
        var both = RecordCompression.Compress(CompressionType.Zstd, first).Concat(RecordCompression.Compress(CompressionType.Zstd, second)).ToArray();
        Assert.Equal(first.Concat(second).ToArray(), RecordCompression.Decompress(CompressionType.Zstd, both));
    }

    [Fact]
    public void Decompress_Lz4FrameWithChecksumsAndLinkedBlocks_Decodes()
    {
        var data = TestData.Compressible(300_000, 7);
        var settings = new LZ4EncoderSettings
        {
            BlockSize = 256 * 1024,
            ChainBlocks = true,
            ContentChecksum = true,
            BlockChecksum = true,
            CompressionLevel = LZ4Level.L09_HC,
        };
        using var writer = new PooledBufferWriter();
        LZ4Frame.Encode(data.AsSpan(), writer, settings);
        Assert.Equal(data, RecordCompression.Decompress(CompressionType.Lz4, writer.WrittenSpan));
    }

    [Fact]
    public void Decompress_HandBuiltLz4FrameWithContentSizeAndStoredBlock_Decodes()
    {
        // librdkafka's LZ4F can set the content size and checksum flags and store incompressible blocks raw.
        var data = TestData.Compressible(150_000, 8).Concat(TestData.Random(70_000, 8)).ToArray();
        var frame = new List<byte> { 0x04, 0x22, 0x4D, 0x18 };
        var descriptor = new List<byte> { 0x40 | 0x20 | 0x10 | 0x08 | 0x04, 0x40 };
        descriptor.AddRange(BitConverter.GetBytes((long)data.Length));
        frame.AddRange(descriptor);
        frame.Add((byte)(XXH32.DigestOf(descriptor.ToArray(), 0, descriptor.Count) >> 8));
        for (var start = 0; start < data.Length; start += 64 * 1024)
        {
            var chunk = data[start..Math.Min(data.Length, start + (64 * 1024))];
            var compressed = new byte[LZ4Codec.MaximumOutputSize(chunk.Length)];
            var length = LZ4Codec.Encode(chunk, compressed);
            var block = length > 0 && length < chunk.Length ? compressed[..length] : chunk;
            var stored = block == chunk ? 0x80000000u : 0u;
            frame.AddRange(BitConverter.GetBytes((uint)block.Length | stored));
            frame.AddRange(block);
            frame.AddRange(BitConverter.GetBytes(XXH32.DigestOf(block, 0, block.Length)));
        }

        frame.AddRange(BitConverter.GetBytes(0u));
        frame.AddRange(BitConverter.GetBytes(XXH32.DigestOf(data, 0, data.Length)));
        Assert.Equal(data, RecordCompression.Decompress(CompressionType.Lz4, frame.ToArray()));
    }

    [Fact]
    public void Compress_Lz4_WritesIndependent64KiBBlocksWithoutChecksums()
    {
        var compressed = RecordCompression.Compress(CompressionType.Lz4, TestData.Compressible(1000, 1));
        Assert.Equal([0x04, 0x22, 0x4D, 0x18], compressed[..4]);

        // FLG: version 01, block independence, no checksums, no content size; BD: 64 KiB blocks.
        Assert.Equal(0x60, compressed[4]);
        Assert.Equal(0x40, compressed[5]);
    }

    [Fact]
    public void Decompress_GzipWithTrailingGarbage_ThrowsProtocolException()
    {
        var compressed = RecordCompression.Compress(CompressionType.Gzip, TestData.Compressible(10_000, 1));
        Assert.Throws<ProtocolException>(() => RecordCompression.Decompress(CompressionType.Gzip, [.. compressed, 1, 2, 3]));
    }

    [Fact]
    public void Decompress_GzipFromSystemStream_Decodes()
    {
        var data = TestData.Compressible(50_000, 8);
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(data);
        }

        Assert.Equal(data, RecordCompression.Decompress(CompressionType.Gzip, compressed.ToArray()));
    }

    [Theory]
    [MemberData(nameof(TestData.CompressedCodecs), MemberType = typeof(TestData))]
    public void Decompress_OutputAboveLimit_ThrowsProtocolException(CompressionType codec)
    {
        // 4 MiB of zeros squeezes into a few KiB: a small zip bomb.
        var bomb = RecordCompression.Compress(codec, new byte[4 * 1024 * 1024]);
        var ex = Assert.Throws<ProtocolException>(() => RecordCompression.Decompress(codec, bomb, 64 * 1024));
        Assert.Contains("limit", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestData.CompressedCodecs), MemberType = typeof(TestData))]
    public void Decompress_OutputExactlyAtLimit_Succeeds(CompressionType codec)
    {
        var data = TestData.Compressible(100_000, 9);
        Assert.Equal(data, RecordCompression.Decompress(codec, RecordCompression.Compress(codec, data), data.Length));
        Assert.Throws<ProtocolException>(() => RecordCompression.Decompress(codec, RecordCompression.Compress(codec, data), data.Length - 1));
    }

    [Fact]
    public void Decompress_XerialBombAcrossChunks_ThrowsProtocolException()
    {
        var framed = TestData.XerialFrame(new byte[1024 * 1024], 32 * 1024);
        Assert.Throws<ProtocolException>(() => RecordCompression.Decompress(CompressionType.Snappy, framed, 100_000));
    }

    [Theory]
    [MemberData(nameof(TestData.CompressedCodecs), MemberType = typeof(TestData))]
    public void Decompress_Truncated_ThrowsProtocolException(CompressionType codec)
    {
        var compressed = RecordCompression.Compress(codec, TestData.Compressible(100_000, 10));
        foreach (var length in new[] { 0, 1, 5, compressed.Length / 2, compressed.Length - 1 })
        {
            Assert.Throws<ProtocolException>(() => RecordCompression.Decompress(codec, compressed.AsSpan(0, length)));
        }
    }

    [Theory]
    [MemberData(nameof(TestData.CompressedCodecs), MemberType = typeof(TestData))]
    public void Decompress_RandomGarbage_OnlyThrowsProtocolException(CompressionType codec)
    {
        var random = new Random((int)codec);
        for (var i = 0; i < 300; i++)
        {
            var garbage = new byte[random.Next(1, 2000)];
            random.NextBytes(garbage);
            try
            {
                RecordCompression.Decompress(codec, garbage, 1024 * 1024);
            }
            catch (ProtocolException)
            {
            }
        }
    }

    [Fact]
    public void Decompress_UnknownCodec_ThrowsProtocolException() =>
        Assert.Throws<ProtocolException>(() => RecordCompression.Decompress((CompressionType)5, [1, 2, 3]));

    [Fact]
    public void Decompress_NoneAboveLimit_ThrowsProtocolException() =>
        Assert.Throws<ProtocolException>(() => RecordCompression.Decompress(CompressionType.None, new byte[100], 99));
}
