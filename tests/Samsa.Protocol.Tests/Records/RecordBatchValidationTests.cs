using System.Buffers.Binary;
using Samsa.Protocol.Records;
using Record = Samsa.Protocol.Records.Record;
using Samsa.Protocol.Records.Compression;

namespace Samsa.Protocol.Tests.Records;

public class RecordBatchValidationTests
{
    private static byte[] ValidBatch(CompressionType codec = CompressionType.None, long baseOffset = 1234) =>
        TestData.Build(TestData.MixedRecords(baseOffset, 1_700_000_000_000, 20), baseOffset, codec);

    private static ProtocolException DecodeFails(byte[] batch)
    {
        var parsed = RecordBatch.Parse(batch);
        var ex = Assert.Throws<ProtocolException>(() => parsed.ReadRecords());
        Assert.Throws<ProtocolException>(() =>
        {
            using var decoded = parsed.DecodeRecords();
            foreach (var _ in decoded)
            {
            }
        });
        return ex;
    }

    [Theory]
    [InlineData(RecordBatchHeader.AttributesOffset)]
    [InlineData(RecordBatchHeader.LastOffsetDeltaOffset + 3)]
    [InlineData(RecordBatchHeader.MaxTimestampOffset)]
    [InlineData(RecordBatchHeader.RecordCountOffset + 3)]
    [InlineData(RecordBatchHeader.Size + 10)]
    [InlineData(-1)]
    public void EnsureValidCrc_FlippedBitInCoveredBytes_ThrowsWithExpectedActualAndOffset(int position)
    {
        var bytes = ValidBatch();
        var at = position < 0 ? bytes.Length - 1 : position;
        bytes[at] ^= 0x10;
        var batch = RecordBatch.Parse(bytes);

        Assert.False(batch.VerifyCrc());
        Assert.False(RecordBatch.VerifyCrc(bytes));
        var ex = Assert.Throws<ProtocolException>(batch.EnsureValidCrc);
        Assert.Contains("base offset 1234", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"expected 0x{batch.Header.Crc:X8}", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"computed 0x{batch.ComputeCrc():X8}", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestData.CompressedCodecs), MemberType = typeof(TestData))]
    public void VerifyCrc_FlippedBitInCompressedRecords_ReturnsFalse(CompressionType codec)
    {
        var bytes = ValidBatch(codec);
        bytes[RecordBatchHeader.Size + ((bytes.Length - RecordBatchHeader.Size) / 2)] ^= 0x01;
        Assert.False(RecordBatch.Parse(bytes).VerifyCrc());
    }

    [Fact]
    public void VerifyCrc_ChangedBaseOffsetOrLeaderEpoch_StaysValid()
    {
        var bytes = ValidBatch();
        bytes[3] ^= 0xFF;
        bytes[RecordBatchHeader.PartitionLeaderEpochOffset] ^= 0x7F;
        Assert.True(RecordBatch.Parse(bytes).VerifyCrc());
    }

    [Fact]
    public void RewriteCrc_AfterEditingCoveredField_MakesBatchValidAgain()
    {
        var bytes = ValidBatch();
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(RecordBatchHeader.ProducerIdOffset), 99);
        Assert.False(RecordBatch.VerifyCrc(bytes));
        RecordBatch.RewriteCrc(bytes);
        Assert.True(RecordBatch.VerifyCrc(bytes));
    }

    [Fact]
    public void RewriteCrc_LengthPastSpan_ThrowsProtocolException()
    {
        var bytes = ValidBatch();
        Assert.Throws<ProtocolException>(() => RecordBatch.RewriteCrc(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Throws<ProtocolException>(() => RecordBatch.RewriteCrc(bytes.AsSpan(0, 20)));
    }

    [Fact]
    public void Reader_TrailingPartialBatch_ReadsCompleteOnesAndReportsPartial()
    {
        var first = ValidBatch(baseOffset: 0);
        var second = ValidBatch(CompressionType.Gzip, baseOffset: 20);
        var third = ValidBatch(baseOffset: 40);
        foreach (var cut in new[] { 1, 11, 12, 30, 61, third.Length - 1 })
        {
            var bytes = first.Concat(second).Concat(third.Take(cut)).ToArray();
            var reader = new RecordBatchReader(bytes);
            var offsets = new List<long>();
            while (reader.TryReadNext(out var batch))
            {
                batch.EnsureValidCrc();
                offsets.Add(batch.Header.BaseOffset);
            }

            Assert.Equal([0L, 20], offsets);
            Assert.Equal(cut, reader.PartialBytes);
            Assert.True(reader.EndedWithPartialBatch);
            Assert.Equal(40, RecordBatchReader.ReadAllRecords(bytes).Count);
        }
    }

    [Fact]
    public void Reader_WholeBatches_EndsWithoutPartial()
    {
        var bytes = ValidBatch(baseOffset: 0).Concat(ValidBatch(baseOffset: 20)).ToArray();
        var reader = new RecordBatchReader(bytes);
        var count = 0;
        foreach (var batch in reader)
        {
            Assert.Equal(count * 20, batch.Header.BaseOffset);
            count++;
        }

        Assert.Equal(2, count);
        while (reader.TryReadNext(out _))
        {
        }

        Assert.False(reader.EndedWithPartialBatch);
        Assert.Equal(bytes.Length, reader.Position);
    }

    [Fact]
    public void Reader_Empty_ReadsNothing()
    {
        var reader = new RecordBatchReader(ReadOnlyMemory<byte>.Empty);
        Assert.False(reader.TryReadNext(out _));
        Assert.False(reader.EndedWithPartialBatch);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(48)]
    [InlineData(-5)]
    [InlineData(int.MinValue)]
    public void Reader_BatchLengthBelowHeader_ThrowsProtocolException(int batchLength)
    {
        var bytes = ValidBatch();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchHeader.BatchLengthOffset), batchLength);
        var ex = Assert.Throws<ProtocolException>(() => new RecordBatchReader(bytes).TryReadNext(out _));
        Assert.Contains("base offset 1234", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_HugeBatchLength_IsTreatedAsPartial()
    {
        var bytes = ValidBatch();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchHeader.BatchLengthOffset), int.MaxValue);
        var reader = new RecordBatchReader(bytes);
        Assert.False(reader.TryReadNext(out _));
        Assert.Equal(bytes.Length, reader.PartialBytes);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Reader_OtherMagic_ThrowsProtocolException(byte magic)
    {
        var bytes = ValidBatch();
        bytes[RecordBatchHeader.MagicOffset] = magic;
        var ex = Assert.Throws<ProtocolException>(() => new RecordBatchReader(bytes).TryReadNext(out _));
        Assert.Contains("magic", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Incomplete_ThrowsProtocolException() =>
        Assert.Throws<ProtocolException>(() => RecordBatch.Parse(ValidBatch().AsMemory(0, 100)));

    [Fact]
    public void Decode_RecordCountAboveActual_ThrowsNamingCounts()
    {
        var records = RawBatch.SimpleRecord(0, value: [1]).Concat(RawBatch.SimpleRecord(1, value: [2])).ToArray();
        var ex = DecodeFails(RawBatch.Create(records, recordCount: 3, lastOffsetDelta: 2));
        Assert.Contains("declares 3 record(s)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("base offset 1234", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RecordCountBelowActual_ThrowsOnTrailingBytes()
    {
        var records = RawBatch.SimpleRecord(0).Concat(RawBatch.SimpleRecord(1)).ToArray();
        var ex = DecodeFails(RawBatch.Create(records, recordCount: 1, lastOffsetDelta: 1));
        Assert.Contains("follow the last one", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Decode_NegativeRecordCount_Throws(int count) =>
        DecodeFails(RawBatch.Create(RawBatch.SimpleRecord(0), recordCount: count, lastOffsetDelta: 0));

    [Fact]
    public void Decode_HugeRecordCountWithTinyData_ThrowsWithoutReserving()
    {
        var ex = DecodeFails(RawBatch.Create(RawBatch.SimpleRecord(0), recordCount: int.MaxValue, lastOffsetDelta: 0));
        Assert.Contains("ends after 1", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    [InlineData(1000)]
    public void Decode_BadRecordLength_ThrowsNamingRecordAndPosition(int length)
    {
        var body = RawBatch.Bytes(new byte[] { 0 }, 0L, 0, -1, -1, 0);
        var ex = DecodeFails(RawBatch.Create(RawBatch.Bytes(length, body), 1, 0));
        Assert.Contains("Record 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("at byte 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RecordLongerThanItsFields_Throws()
    {
        var body = RawBatch.Bytes(new byte[] { 0 }, 0L, 0, -1, -1, 0, new byte[] { 9, 9 });
        var ex = DecodeFails(RawBatch.Create(RawBatch.Bytes(body.Length, body), 1, 0));
        Assert.Contains("unused", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-2)]
    [InlineData(int.MinValue)]
    public void Decode_KeyLengthBelowMinusOne_Throws(int keyLength)
    {
        var ex = DecodeFails(RawBatch.Create(RawBatch.Record(new byte[] { 0 }, 0L, 0, keyLength, -1, 0), 1, 0));
        Assert.Contains("key length", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ValueLengthPastRecordEnd_Throws()
    {
        // The value claims 50 bytes; the record holds 3, though more bytes follow in the section.
        var record = RawBatch.Record(new byte[] { 0 }, 0L, 0, -1, 50, new byte[] { 1, 2, 3 });
        var ex = DecodeFails(RawBatch.Create(record.Concat(new byte[100]).ToArray(), 1, 0));
        Assert.Contains("value length 50", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_NullHeaderKey_Throws()
    {
        var ex = DecodeFails(RawBatch.Create(RawBatch.Record(new byte[] { 0 }, 0L, 0, -1, -1, 1, -1, -1), 1, 0));
        Assert.Contains("header key length -1", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1_000_000)]
    [InlineData(int.MaxValue)]
    public void Decode_ImpossibleHeaderCount_Throws(int count)
    {
        var ex = DecodeFails(RawBatch.Create(RawBatch.Record(new byte[] { 0 }, 0L, 0, -1, -1, count, 1, new byte[] { 65 }, -1), 1, 0));
        Assert.Contains("header count", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_OverlongVarint_Throws()
    {
        var record = RawBatch.Bytes(12, new byte[] { 0 }, new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 });
        var ex = DecodeFails(RawBatch.Create(record, 1, 0));
        Assert.Contains("timestamp delta", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_TruncatedRecordLengthVarint_Throws() =>
        DecodeFails(RawBatch.Create([0x80], 1, 0));

    [Fact]
    public void Decode_OffsetDeltaNotIncreasing_Throws()
    {
        var records = RawBatch.SimpleRecord(1).Concat(RawBatch.SimpleRecord(1)).ToArray();
        var ex = DecodeFails(RawBatch.Create(records, 2, 1));
        Assert.Contains("does not increase", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_OffsetDeltaAboveLastOffsetDelta_Throws()
    {
        var ex = DecodeFails(RawBatch.Create(RawBatch.SimpleRecord(5), 1, 2));
        Assert.Contains("offset delta 5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_CompressedRecordsAboveLimit_ThrowsNamingBatch()
    {
        var records = new List<Record> { new(0, 0, null, new byte[2_000_000]) };
        var batch = RecordBatch.Parse(TestData.Build(records, 0, CompressionType.Zstd));
        var ex = Assert.Throws<ProtocolException>(() => batch.ReadRecords(maxDecompressedSize: 1_000_000));
        Assert.Contains("base offset 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("limit", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ProtocolException>(() => batch.DecodeRecords(maxDecompressedSize: 1_000_000));
        Assert.Single(batch.ReadRecords(maxDecompressedSize: 2_100_000));
    }

    [Fact]
    public void Decode_UnknownCodecInAttributes_Throws()
    {
        var bytes = RawBatch.Create(RawBatch.SimpleRecord(0), 1, 0, codec: (CompressionType)6);
        var ex = DecodeFails(bytes);
        Assert.Contains("codec 6", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_CompressedRecordsWithTrailingGarbageAfterRecords_Throws()
    {
        var plain = RawBatch.SimpleRecord(0, value: [7]).Concat(new byte[] { 1, 2, 3 }).ToArray();
        var bytes = RawBatch.Create(RecordCompression.Compress(CompressionType.Lz4, plain), 1, 0, codec: CompressionType.Lz4);
        var ex = DecodeFails(bytes);
        Assert.Contains("decompressed records section", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RecordViewHeaders_AllowAllocationFreeAccess()
    {
        var record = RawBatch.Record(new byte[] { 0 }, 5L, 0, 1, new byte[] { 75 }, 2, new byte[] { 86, 87 }, 2, 1, new byte[] { 65 }, -1, 1, new byte[] { 66 }, 0);
        var batch = RecordBatch.Parse(RawBatch.Create(record, 1, 0));
        using var decoded = batch.DecodeRecords();
        foreach (var view in decoded)
        {
            Assert.Equal(1234, view.Offset);
            Assert.Equal(1005, view.Timestamp);
            Assert.Equal([75], view.Key.ToArray());
            Assert.Equal([86, 87], view.Value.ToArray());
            var keys = new List<string>();
            foreach (var header in view.Headers)
            {
                keys.Add(header.GetKeyString() + (header.IsValueNull ? "=null" : $"={header.Value.Length}"));
            }

            Assert.Equal(["A=null", "B=0"], keys);
        }
    }
}
