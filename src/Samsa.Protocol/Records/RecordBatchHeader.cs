using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Samsa.Protocol.Records;

/// <summary>
/// The fixed 61-byte header of a magic-2 record batch, with the offsets of each field so a broker
/// can rewrite base offset, leader epoch and log-append time in place.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly record struct RecordBatchHeader(
    long BaseOffset,
    int BatchLength,
    int PartitionLeaderEpoch,
    sbyte Magic,
    uint Crc,
    short Attributes,
    int LastOffsetDelta,
    long BaseTimestamp,
    long MaxTimestamp,
    long ProducerId,
    short ProducerEpoch,
    int BaseSequence,
    int RecordCount)
{
    /// <summary>Bytes of the header on the wire (magic 2), up to and including the record count.</summary>
    public const int Size = 61;

    /// <summary>baseOffset (8) + batchLength (4): the bytes before the batch length counts.</summary>
    public const int LogOverhead = 12;

    /// <summary>Position of the int64 base offset in the header.</summary>
    public const int BaseOffsetOffset = 0;
    /// <summary>Position of the int32 batch length.</summary>
    public const int BatchLengthOffset = 8;
    /// <summary>Position of the int32 partition leader epoch.</summary>
    public const int PartitionLeaderEpochOffset = 12;
    /// <summary>Position of the magic byte.</summary>
    public const int MagicOffset = 16;
    /// <summary>Position of the uint32 CRC-32C.</summary>
    public const int CrcOffset = 17;
    /// <summary>Position of the int16 attributes.</summary>
    public const int AttributesOffset = 21;
    /// <summary>Position of the int32 last offset delta.</summary>
    public const int LastOffsetDeltaOffset = 23;
    /// <summary>Position of the int64 base timestamp.</summary>
    public const int BaseTimestampOffset = 27;
    /// <summary>Position of the int64 max timestamp.</summary>
    public const int MaxTimestampOffset = 35;
    /// <summary>Position of the int64 producer id.</summary>
    public const int ProducerIdOffset = 43;
    /// <summary>Position of the int16 producer epoch.</summary>
    public const int ProducerEpochOffset = 51;
    /// <summary>Position of the int32 base sequence.</summary>
    public const int BaseSequenceOffset = 53;
    /// <summary>Position of the int32 record count.</summary>
    public const int RecordCountOffset = 57;

    /// <summary>CRC-32C covers everything from the attributes to the end of the batch.</summary>
    public const int CrcCoverageStart = AttributesOffset;

    /// <summary>Attribute bits 0-2: the compression codec.</summary>
    public const short CompressionMask = 0x07;
    /// <summary>Attribute bit 3: set for log-append time.</summary>
    public const short TimestampTypeMask = 0x08;
    /// <summary>Attribute bit 4: the batch belongs to a transaction.</summary>
    public const short TransactionalMask = 0x10;
    /// <summary>Attribute bit 5: the batch holds control records.</summary>
    public const short ControlMask = 0x20;
    /// <summary>Attribute bit 6: compaction set a delete horizon.</summary>
    public const short DeleteHorizonMask = 0x40;

    /// <summary>The codec of the records section.</summary>
    public CompressionType Compression => (CompressionType)(Attributes & CompressionMask);

    /// <summary>Whether timestamps are create time or log-append time.</summary>
    public TimestampType TimestampType => (Attributes & TimestampTypeMask) != 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;

    /// <summary>True when the batch belongs to a transaction.</summary>
    public bool IsTransactional => (Attributes & TransactionalMask) != 0;

    /// <summary>True when the batch holds control records (transaction markers).</summary>
    public bool IsControl => (Attributes & ControlMask) != 0;

    /// <summary>Log compaction set a delete horizon (KIP-534): <see cref="BaseTimestamp"/> holds it, and tombstones may go once it passed.</summary>
    public bool HasDeleteHorizon => (Attributes & DeleteHorizonMask) != 0;

    /// <summary>Whole size of the batch on the wire: <see cref="BatchLength"/> plus the 12 bytes before it.</summary>
    public int TotalSize => BatchLength + LogOverhead;

    /// <summary>Offset of the last record the batch was written with.</summary>
    public long LastOffset => BaseOffset + LastOffsetDelta;

    /// <summary>
    /// Reads the header at the start of <paramref name="source"/>. Returns false when fewer than
    /// <see cref="Size"/> bytes are present. Throws <see cref="ProtocolException"/> when the magic
    /// is not 2 or the lengths are impossible. Does not check the CRC.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out RecordBatchHeader header)
    {
        if (source.Length < Size)
        {
            header = default;
            return false;
        }

        var magic = (sbyte)source[MagicOffset];
        if (magic != 2)
        {
            throw new ProtocolException($"Unsupported record batch magic {magic} at offset {MagicOffset}; only magic 2 record batches are supported.");
        }

        var batchLength = BinaryPrimitives.ReadInt32BigEndian(source[BatchLengthOffset..]);
        if (batchLength < Size - LogOverhead)
        {
            throw new ProtocolException($"Record batch length {batchLength} is smaller than the {Size - LogOverhead}-byte header.");
        }

        header = new RecordBatchHeader(
            BaseOffset: BinaryPrimitives.ReadInt64BigEndian(source),
            BatchLength: batchLength,
            PartitionLeaderEpoch: BinaryPrimitives.ReadInt32BigEndian(source[PartitionLeaderEpochOffset..]),
            Magic: magic,
            Crc: BinaryPrimitives.ReadUInt32BigEndian(source[CrcOffset..]),
            Attributes: BinaryPrimitives.ReadInt16BigEndian(source[AttributesOffset..]),
            LastOffsetDelta: BinaryPrimitives.ReadInt32BigEndian(source[LastOffsetDeltaOffset..]),
            BaseTimestamp: BinaryPrimitives.ReadInt64BigEndian(source[BaseTimestampOffset..]),
            MaxTimestamp: BinaryPrimitives.ReadInt64BigEndian(source[MaxTimestampOffset..]),
            ProducerId: BinaryPrimitives.ReadInt64BigEndian(source[ProducerIdOffset..]),
            ProducerEpoch: BinaryPrimitives.ReadInt16BigEndian(source[ProducerEpochOffset..]),
            BaseSequence: BinaryPrimitives.ReadInt32BigEndian(source[BaseSequenceOffset..]),
            RecordCount: BinaryPrimitives.ReadInt32BigEndian(source[RecordCountOffset..]));
        return true;
    }

    /// <summary>Rewrites the base offset in place (outside the CRC, so the CRC stays valid).</summary>
    public static void WriteBaseOffset(Span<byte> batch, long baseOffset) =>
        BinaryPrimitives.WriteInt64BigEndian(batch[BaseOffsetOffset..], baseOffset);

    /// <summary>Rewrites the partition leader epoch in place (outside the CRC).</summary>
    public static void WritePartitionLeaderEpoch(Span<byte> batch, int epoch) =>
        BinaryPrimitives.WriteInt32BigEndian(batch[PartitionLeaderEpochOffset..], epoch);
}
