using System.Buffers.Binary;
using Samsa.Broker.Storage;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Tests.Storage;

/// <summary>Builds valid, uncompressed magic-2 record batches and takes read results apart.</summary>
internal static class TestBatches
{
    /// <summary>One batch of <paramref name="recordCount"/> records whose timestamps run from <paramref name="firstTimestamp"/> up by one; values of <paramref name="valueSize"/> bytes filled with <paramref name="fill"/>.</summary>
    public static byte[] Create(int recordCount, long firstTimestamp = 1_000, int valueSize = 10, byte fill = 0xAB)
    {
        var records = new List<byte>();
        for (var i = 0; i < recordCount; i++)
        {
            var body = new List<byte> { 0 };
            WriteVarLong(body, i);
            WriteVarLong(body, i);
            WriteVarLong(body, -1);
            WriteVarLong(body, valueSize);
            body.AddRange(Enumerable.Repeat(fill, valueSize));
            WriteVarLong(body, 0);
            WriteVarLong(records, body.Count);
            records.AddRange(body);
        }

        var batch = new byte[RecordBatchHeader.Size + records.Count];
        var span = batch.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(span, 0);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.BatchLengthOffset..], batch.Length - RecordBatchHeader.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.PartitionLeaderEpochOffset..], -1);
        span[RecordBatchHeader.MagicOffset] = 2;
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchHeader.AttributesOffset..], 0);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.LastOffsetDeltaOffset..], recordCount - 1);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.BaseTimestampOffset..], firstTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.MaxTimestampOffset..], firstTimestamp + recordCount - 1);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.ProducerIdOffset..], -1);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchHeader.ProducerEpochOffset..], -1);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.BaseSequenceOffset..], -1);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.RecordCountOffset..], recordCount);
        records.CopyTo(batch, RecordBatchHeader.Size);
        BatchCrc.Update(batch);
        return batch;
    }

    /// <summary>Several batches back to back, as one produce request carries them.</summary>
    public static byte[] Concat(params byte[][] batches) => [.. batches.SelectMany(batch => batch)];

    /// <summary>The headers of the whole batches in <paramref name="records"/>; fails the test on a partial batch or a bad CRC.</summary>
    public static List<RecordBatchHeader> Parse(ReadOnlyMemory<byte> records)
    {
        var headers = new List<RecordBatchHeader>();
        var span = records.Span;
        while (!span.IsEmpty)
        {
            Assert.True(RecordBatchHeader.TryRead(span, out var header), $"partial batch header ({span.Length} bytes)");
            Assert.True(header.TotalSize <= span.Length, $"partial batch: {header.TotalSize} declared, {span.Length} left");
            Assert.True(BatchCrc.IsValid(span[..header.TotalSize]), $"bad CRC in the batch at {header.BaseOffset}");
            headers.Add(header);
            span = span[header.TotalSize..];
        }

        return headers;
    }

    /// <summary>Base offsets of the batches read at <paramref name="offset"/>.</summary>
    public static List<long> ReadBaseOffsets(PartitionLog log, long offset, int maxBytes = int.MaxValue, long maxOffsetExclusive = long.MaxValue)
    {
        using var result = log.Read(offset, maxBytes, maxOffsetExclusive);
        return [.. Parse(result.Records).Select(header => header.BaseOffset)];
    }

    /// <summary>Every batch in the log, read from the start in steps, as a consumer would.</summary>
    public static List<RecordBatchHeader> ReadAll(PartitionLog log, int maxBytes = 1_000)
    {
        var all = new List<RecordBatchHeader>();
        var next = log.LogStartOffset;
        while (next < log.LogEndOffset)
        {
            using var result = log.Read(next, maxBytes);
            var headers = Parse(result.Records);
            Assert.NotEmpty(headers);
            all.AddRange(headers);
            next = headers[^1].LastOffset + 1;
        }

        return all;
    }

    private static void WriteVarLong(List<byte> target, long value)
    {
        var zigZag = (ulong)((value << 1) ^ (value >> 63));
        while (zigZag >= 0x80)
        {
            target.Add((byte)(zigZag | 0x80));
            zigZag >>= 7;
        }

        target.Add((byte)zigZag);
    }
}
