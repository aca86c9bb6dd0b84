using System.Buffers.Binary;
using Samsa.Protocol.Records;
using Record = Samsa.Protocol.Records.Record;

namespace Samsa.Protocol.Tests.Records;

/// <summary>Hand-assembled batches and records, for inputs the builder would never produce.</summary>
internal static class RawBatch
{
    /// <summary>A batch around <paramref name="recordsSection"/> with the given header fields and a correct CRC.</summary>
    public static byte[] Create(ReadOnlySpan<byte> recordsSection, int recordCount, int lastOffsetDelta, long baseOffset = 1234, CompressionType codec = CompressionType.None)
    {
        var bytes = new byte[RecordBatchHeader.Size + recordsSection.Length];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(span, baseOffset);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.BatchLengthOffset..], bytes.Length - RecordBatchHeader.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.PartitionLeaderEpochOffset..], 0);
        span[RecordBatchHeader.MagicOffset] = 2;
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchHeader.AttributesOffset..], (short)codec);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.LastOffsetDeltaOffset..], lastOffsetDelta);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.BaseTimestampOffset..], 1000);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.MaxTimestampOffset..], 1000);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.ProducerIdOffset..], -1);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchHeader.ProducerEpochOffset..], -1);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.BaseSequenceOffset..], -1);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.RecordCountOffset..], recordCount);
        recordsSection.CopyTo(span[RecordBatchHeader.Size..]);
        RecordBatch.RewriteCrc(bytes);
        return bytes;
    }

    /// <summary>Zig-zag varints and raw byte arrays laid end to end.</summary>
    public static byte[] Bytes(params object[] parts)
    {
        var output = new List<byte>();
        Span<byte> scratch = stackalloc byte[VarInt.MaxBytes64];
        foreach (var part in parts)
        {
            switch (part)
            {
                case int v:
                    output.AddRange(scratch[..VarInt.Write(scratch, v)].ToArray());
                    break;
                case long v:
                    output.AddRange(scratch[..VarInt.Write(scratch, v)].ToArray());
                    break;
                case byte[] raw:
                    output.AddRange(raw);
                    break;
                default:
                    throw new ArgumentException($"Unsupported part {part}");
            }
        }

        return [.. output];
    }

    /// <summary>A record with its length prefix computed from the body.</summary>
    public static byte[] Record(params object[] bodyParts)
    {
        var body = Bytes(bodyParts);
        return Bytes(body.Length, body);
    }

    /// <summary>A well-formed record: attributes, timestamp delta, offset delta, key, value, no headers.</summary>
    public static byte[] SimpleRecord(int offsetDelta, byte[]? key = null, byte[]? value = null) =>
        Record(
            new byte[] { 0 },
            0L,
            offsetDelta,
            key is null ? -1 : key.Length,
            key ?? [],
            value is null ? -1 : value.Length,
            value ?? [],
            0);
}
