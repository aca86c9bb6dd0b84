using System.Buffers.Binary;
using Samsa.Protocol.Records;
using Record = Samsa.Protocol.Records.Record;
using Samsa.Protocol.Records.Compression;

namespace Samsa.Protocol.Tests.Records;

public class RecordBatchRoundTripTests
{
    private const long BaseTimestamp = 1_700_000_000_000;

    [Theory]
    [MemberData(nameof(TestData.Codecs), MemberType = typeof(TestData))]
    public void BuildThenRead_MixedRecords_PreservesEverything(CompressionType codec)
    {
        var records = TestData.MixedRecords(1000, BaseTimestamp, 60);
        var bytes = TestData.Build(records, 1000, codec, b =>
        {
            b.ProducerId = 42;
            b.ProducerEpoch = 3;
            b.BaseSequence = 17;
            b.PartitionLeaderEpoch = 9;
        });

        var batch = RecordBatch.Parse(bytes);
        Assert.True(batch.VerifyCrc());
        var header = batch.Header;
        Assert.Equal(1000, header.BaseOffset);
        Assert.Equal(bytes.Length, header.TotalSize);
        Assert.Equal(9, header.PartitionLeaderEpoch);
        Assert.Equal(codec, header.Compression);
        Assert.Equal(TimestampType.CreateTime, header.TimestampType);
        Assert.False(header.IsTransactional);
        Assert.False(header.IsControl);
        Assert.Equal(59, header.LastOffsetDelta);
        Assert.Equal(records[0].Timestamp, header.BaseTimestamp);
        Assert.Equal(records.Max(r => r.Timestamp), header.MaxTimestamp);
        Assert.Equal(42, header.ProducerId);
        Assert.Equal(3, header.ProducerEpoch);
        Assert.Equal(17, header.BaseSequence);
        Assert.Equal(60, header.RecordCount);

        TestData.AssertSameRecords(records, batch.ReadRecords());
    }

    [Theory]
    [MemberData(nameof(TestData.Codecs), MemberType = typeof(TestData))]
    public void DecodeRecords_SpanPath_MatchesListPath(CompressionType codec)
    {
        var records = TestData.MixedRecords(0, BaseTimestamp, 40);
        var batch = RecordBatch.Parse(TestData.Build(records, 0, codec));

        using var decoded = batch.DecodeRecords();
        Assert.Equal(40, decoded.Count);
        var i = 0;
        foreach (var view in decoded)
        {
            var expected = records[i++];
            Assert.Equal(expected.Offset, view.Offset);
            Assert.Equal(expected.Timestamp, view.Timestamp);
            Assert.Equal(expected.Key is null, view.IsKeyNull);
            Assert.Equal(expected.Value is null, view.IsValueNull);
            Assert.True(view.Key.SequenceEqual((expected.Key ?? default).Span));
            Assert.True(view.Value.SequenceEqual((expected.Value ?? default).Span));
            Assert.Equal(expected.Headers.Count, view.HeaderCount);
            var h = 0;
            foreach (var header in view.Headers)
            {
                Assert.Equal(expected.Headers[h].Key, header.GetKeyString());
                Assert.Equal(expected.Headers[h].Value is null, header.IsValueNull);
                Assert.True(header.Value.SequenceEqual((expected.Headers[h].Value ?? default).Span));
                h++;
            }

            Assert.Equal(expected.Headers.Count, h);
        }

        Assert.Equal(40, i);
    }

    [Theory]
    [MemberData(nameof(TestData.Codecs), MemberType = typeof(TestData))]
    public void BuildThenRead_LargeValues_RoundTrip(CompressionType codec)
    {
        // Values past 64 KiB cross lz4 blocks, xerial chunks and gzip windows.
        var records = new List<Record>
        {
            new(0, BaseTimestamp, "big"u8.ToArray(), TestData.Compressible(300_000, 1)),
            new(1, BaseTimestamp + 1, null, TestData.Random(100_000, 2)),
            new(2, BaseTimestamp + 2, "small"u8.ToArray(), new byte[] { 1 }),
        };
        var bytes = TestData.Build(records, 0, codec);
        TestData.AssertSameRecords(records, RecordBatch.Parse(bytes).ReadRecords());
    }

    [Fact]
    public void BuildThenRead_XerialSnappyWithLargeValues_RoundTrips()
    {
        var records = new List<Record>
        {
            new(0, BaseTimestamp, null, TestData.Compressible(200_000, 3)),
            new(1, BaseTimestamp, null, TestData.Compressible(70_000, 4)),
        };
        var bytes = TestData.Build(records, 0, CompressionType.Snappy, b => b.CompressionOptions = new CompressionOptions { SnappyXerialFraming = true });
        var batch = RecordBatch.Parse(bytes);
        Assert.True(batch.RecordsSection.Span.StartsWith(new byte[] { 0x82, (byte)'S', (byte)'N' }));
        TestData.AssertSameRecords(records, batch.ReadRecords());
    }

    [Fact]
    public void Read_BatchWhoseRecordsAreHandFramedXerial_Decodes()
    {
        // Re-frame the records section of a plain batch the way the Java client would write it.
        var records = TestData.MixedRecords(0, BaseTimestamp, 500, valueSize: 400);
        var plain = TestData.Build(records, 0, CompressionType.None);
        var framed = TestData.XerialFrame(plain.AsSpan(RecordBatchHeader.Size), 32 * 1024);
        var bytes = plain[..RecordBatchHeader.Size].Concat(framed).ToArray();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchHeader.BatchLengthOffset), bytes.Length - RecordBatchHeader.LogOverhead);
        BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(RecordBatchHeader.AttributesOffset), (short)CompressionType.Snappy);
        RecordBatch.RewriteCrc(bytes);

        var batch = RecordBatch.Parse(bytes);
        batch.EnsureValidCrc();
        TestData.AssertSameRecords(records, batch.ReadRecords());
    }

    [Theory]
    [MemberData(nameof(TestData.Codecs), MemberType = typeof(TestData))]
    public void BuildThenRead_ManyRecords_RoundTrip(CompressionType codec)
    {
        var records = TestData.MixedRecords(5_000_000_000, BaseTimestamp, 10_000, valueSize: 20);
        var bytes = TestData.Build(records, 5_000_000_000, codec);
        var batch = RecordBatch.Parse(bytes);
        batch.EnsureValidCrc();
        Assert.Equal(5_000_009_999, batch.Header.LastOffset);
        TestData.AssertSameRecords(records, batch.ReadRecords());
    }

    [Fact]
    public void Append_WithoutOffsets_AssignsConsecutiveOffsets()
    {
        using var builder = new RecordBatchBuilder { BaseOffset = 77 };
        builder.Append(5, null, "a"u8.ToArray()).Append(4, null, "b"u8.ToArray()).Append(9, null, "c"u8.ToArray());
        var read = RecordBatch.Parse(builder.ToArray()).ReadRecords();
        Assert.Equal([77L, 78, 79], read.Select(r => r.Offset));
        Assert.Equal([5L, 4, 9], read.Select(r => r.Timestamp));
        Assert.Equal(9, RecordBatch.Parse(builder.ToArray()).Header.MaxTimestamp);
    }

    [Fact]
    public void Append_OffsetsWithGaps_KeepsGapsAndLastOffsetDelta()
    {
        // A compacted batch keeps the offsets of the records that survived.
        var records = new List<Record>
        {
            new(100, 1, null, "a"u8.ToArray()),
            new(103, 2, null, "b"u8.ToArray()),
            new(110, 3, null, "c"u8.ToArray()),
        };
        var batch = RecordBatch.Parse(TestData.Build(records, 100, CompressionType.None));
        Assert.Equal(10, batch.Header.LastOffsetDelta);
        TestData.AssertSameRecords(records, batch.ReadRecords());
    }

    [Fact]
    public void Append_NonIncreasingOffset_Throws()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(new Record(5, 0, null, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Append(new Record(5, 0, null, null)));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Append(new Record(-1, 0, null, null)));
    }

    [Fact]
    public void Build_NoRecords_WritesEmptyBatch()
    {
        using var builder = new RecordBatchBuilder { BaseOffset = 10 };
        var batch = RecordBatch.Parse(builder.ToArray());
        Assert.True(batch.VerifyCrc());
        Assert.Equal(0, batch.Header.RecordCount);
        Assert.Equal(RecordBatchHeader.Size, batch.Header.TotalSize);
        Assert.Empty(batch.ReadRecords());
    }

    [Fact]
    public void Clear_ThenReuse_BuildsOnlyNewRecords()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Lz4);
        builder.Append(1, null, "old"u8.ToArray());
        builder.ToArray();
        builder.Clear();
        builder.Append(2, null, "new"u8.ToArray());
        var read = RecordBatch.Parse(builder.ToArray()).ReadRecords();
        Assert.Single(read);
        Assert.Equal("new"u8.ToArray(), read[0].Value!.Value.ToArray());
        Assert.Equal(0, read[0].Offset);
    }

    [Fact]
    public void WriteTo_BufferWriter_AppendsTheSameBytesAsToArray()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Zstd) { TimestampType = TimestampType.LogAppendTime, IsTransactional = true, ProducerId = 1, ProducerEpoch = 0, BaseSequence = 0 };
        builder.Append(50, "k"u8.ToArray(), "v"u8.ToArray());
        using var output = new PooledBufferWriter();
        output.GetSpan(3)[..3].Fill(0xEE);
        output.Advance(3);
        builder.WriteTo(output);
        Assert.Equal(builder.ToArray(), output.WrittenSpan[3..].ToArray());

        var header = RecordBatch.Parse(output.WrittenMemory[3..]).Header;
        Assert.True(header.IsTransactional);
        Assert.Equal(TimestampType.LogAppendTime, header.TimestampType);
    }

    [Fact]
    public void ReadAllRecords_SeveralBatchesWithDifferentCodecs_ReadsThemInOrder()
    {
        var expected = new List<Record>();
        var bytes = new List<byte>();
        var offset = 0L;
        foreach (var codec in TestData.AllCodecs)
        {
            var records = TestData.MixedRecords(offset, BaseTimestamp + offset, 7);
            expected.AddRange(records);
            bytes.AddRange(TestData.Build(records, offset, codec));
            offset += 7;
        }

        TestData.AssertSameRecords(expected, RecordBatchReader.ReadAllRecords(bytes.ToArray()));
    }

    [Fact]
    public void RecordBatchHeader_RewriteBaseOffset_KeepsCrcValidAndShiftsOffsets()
    {
        var bytes = TestData.Build(TestData.MixedRecords(0, BaseTimestamp, 5), 0, CompressionType.Snappy);
        RecordBatchHeader.WriteBaseOffset(bytes, 1_000);
        RecordBatchHeader.WritePartitionLeaderEpoch(bytes, 4);
        var batch = RecordBatch.Parse(bytes);
        Assert.True(batch.VerifyCrc());
        Assert.Equal([1000L, 1001, 1002, 1003, 1004], batch.ReadRecords().Select(r => r.Offset));
    }

    [Fact]
    public void StampLogAppendTime_SetsMaxTimestampAndRewritesCrc()
    {
        var bytes = TestData.Build(TestData.MixedRecords(0, BaseTimestamp, 5), 0, CompressionType.None);
        RecordBatch.StampLogAppendTime(bytes, 1_800_000_000_000);
        var batch = RecordBatch.Parse(bytes);
        Assert.True(batch.VerifyCrc());
        Assert.True(RecordBatch.VerifyCrc(bytes));
        Assert.Equal(TimestampType.LogAppendTime, batch.Header.TimestampType);
        Assert.All(batch.ReadRecords(), r => Assert.Equal(1_800_000_000_000, r.Timestamp));
    }
}
