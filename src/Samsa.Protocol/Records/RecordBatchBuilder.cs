using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Samsa.Protocol.Records.Compression;

namespace Samsa.Protocol.Records;

/// <summary>
/// Builds one magic-2 record batch. Records are encoded as they are appended into a pooled buffer;
/// building fills in the header (last offset delta, timestamps, count, length), compresses when
/// asked and computes the CRC. Set the header properties before building; reuse with
/// <see cref="Clear"/>, release with <see cref="Dispose"/>.
/// </summary>
public sealed class RecordBatchBuilder : IDisposable
{
    private readonly PooledBufferWriter _batch;
    private PooledBufferWriter? _compressed;
    private int _count;
    private int _lastOffsetDelta = -1;
    private long _baseTimestamp = -1;
    private long _maxTimestamp = -1;

    /// <summary>Starts an empty batch that will be compressed with <paramref name="compression"/>.</summary>
    public RecordBatchBuilder(CompressionType compression = CompressionType.None, int initialCapacity = 16 * 1024)
    {
        Compression = compression;
        _batch = new PooledBufferWriter(Math.Max(initialCapacity, 256));
        ReserveHeader(_batch);
    }

    /// <summary>Offset of the first record; record offsets given to <see cref="Append(Record)"/> are relative to it.</summary>
    public long BaseOffset { get; set; }

    /// <summary>The partition leader epoch written into the header; -1 when unknown.</summary>
    public int PartitionLeaderEpoch { get; set; } = -1;

    /// <summary>The idempotent producer id; -1 for a producer without one.</summary>
    public long ProducerId { get; set; } = -1;

    /// <summary>The producer epoch; -1 for a producer without an id.</summary>
    public short ProducerEpoch { get; set; } = -1;

    /// <summary>The sequence number of the first record; -1 for a producer without an id.</summary>
    public int BaseSequence { get; set; } = -1;

    /// <summary>Marks the batch as part of a transaction.</summary>
    public bool IsTransactional { get; set; }

    /// <summary>Marks the batch as holding control records (transaction markers).</summary>
    public bool IsControl { get; set; }

    /// <summary>Whether record timestamps are the producer's create time or the broker's log-append time.</summary>
    public TimestampType TimestampType { get; set; }

    /// <summary>The codec applied to the records section when the batch is built.</summary>
    public CompressionType Compression { get; set; }

    /// <summary>
    /// When 0 or more, the batch carries a delete horizon (KIP-534): the base timestamp field holds
    /// this value and record timestamps are stored relative to it. Log compaction sets it on
    /// batches whose tombstones it keeps. Set before appending records.
    /// </summary>
    public long DeleteHorizonMs { get; set; } = -1;

    /// <summary>Codec settings; null for the defaults.</summary>
    public CompressionOptions? CompressionOptions { get; set; }

    /// <summary>Records appended so far.</summary>
    public int Count => _count;

    /// <summary>Size of the batch built without compression, header included.</summary>
    public int UncompressedSize => _batch.WrittenCount;

    /// <summary>Appends a record at the next offset (base offset + count for consecutive appends).</summary>
    public RecordBatchBuilder Append(long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers = null) =>
        AppendCore(_lastOffsetDelta + 1, timestamp, key, value, headers, 0);

    /// <summary>Appends <paramref name="record"/> at its own offset, which must be above the previous record's and at most 2^31-1 past <see cref="BaseOffset"/>.</summary>
    public RecordBatchBuilder Append(Record record)
    {
        var delta = record.Offset - BaseOffset;
        if (delta <= _lastOffsetDelta || delta > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(
                nameof(record),
                record.Offset,
                $"Record offset {record.Offset} must be above the previous one ({BaseOffset + _lastOffsetDelta}) and within 2^31-1 of the base offset {BaseOffset}.");
        }

        return AppendCore((int)delta, record.Timestamp, record.Key, record.Value, record.Headers, record.Attributes);
    }

    private RecordBatchBuilder AppendCore(int offsetDelta, long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers, sbyte attributes)
    {
        if (offsetDelta < 0)
        {
            throw new ProtocolException("A record batch cannot hold more than 2^31 offsets.");
        }

        var baseTimestamp = DeleteHorizonMs >= 0 ? DeleteHorizonMs : _count == 0 ? timestamp : _baseTimestamp;
        var timestampDelta = unchecked(timestamp - baseTimestamp);
        var headerCount = headers?.Count ?? 0;

        long bodySize = 1 + VarInt.SizeOf(timestampDelta) + VarInt.SizeOf(offsetDelta) + SizeOf(key) + SizeOf(value) + VarInt.SizeOf(headerCount);
        for (var i = 0; i < headerCount; i++)
        {
            var header = headers![i];
            ArgumentNullException.ThrowIfNull(header.Key, nameof(headers));
            var keyBytes = Encoding.UTF8.GetByteCount(header.Key);
            bodySize += VarInt.SizeOf(keyBytes) + keyBytes + SizeOf(header.Value);
        }

        var total = VarInt.MaxBytes32 + bodySize;
        if (total + _batch.WrittenCount > Array.MaxLength)
        {
            throw new ProtocolException($"The record ({bodySize} bytes) does not fit in a record batch of at most {Array.MaxLength} bytes.");
        }

        var span = _batch.GetSpan((int)total);
        var p = VarInt.Write(span, (int)bodySize);
        span[p++] = (byte)attributes;
        p += VarInt.Write(span[p..], timestampDelta);
        p += VarInt.Write(span[p..], offsetDelta);
        p = WriteBytes(span, p, key);
        p = WriteBytes(span, p, value);
        p += VarInt.Write(span[p..], headerCount);
        for (var i = 0; i < headerCount; i++)
        {
            var header = headers![i];
            var keyBytes = Encoding.UTF8.GetByteCount(header.Key);
            p += VarInt.Write(span[p..], keyBytes);
            p += Encoding.UTF8.GetBytes(header.Key, span[p..]);
            p = WriteBytes(span, p, header.Value);
        }

        _batch.Advance(p);
        if (_count == 0 || timestamp > _maxTimestamp)
        {
            _maxTimestamp = timestamp;
        }

        _baseTimestamp = baseTimestamp;
        _lastOffsetDelta = offsetDelta;
        _count++;
        return this;
    }

    private static int SizeOf(ReadOnlyMemory<byte>? bytes) =>
        bytes is { } b ? VarInt.SizeOf(b.Length) + b.Length : 1;

    private static int WriteBytes(Span<byte> span, int p, ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is not { } b)
        {
            return p + VarInt.Write(span[p..], -1);
        }

        p += VarInt.Write(span[p..], b.Length);
        b.Span.CopyTo(span[p..]);
        return p + b.Length;
    }

    /// <summary>
    /// Builds the batch and returns it from the builder's own buffer: valid until the builder is
    /// appended to, cleared, built again or disposed.
    /// </summary>
    public ReadOnlyMemory<byte> Build()
    {
        var target = _batch;
        if (Compression != CompressionType.None)
        {
            target = _compressed ??= new PooledBufferWriter(_batch.Capacity);
            target.Clear();
            ReserveHeader(target);
            RecordCompression.Compress(Compression, _batch.WrittenSpan[RecordBatchHeader.Size..], target, CompressionOptions);
        }

        WriteHeader(target.WrittenSpanMutable);
        return target.WrittenMemory;
    }

    /// <summary>Builds the batch and appends it to <paramref name="output"/>.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        var batch = Build().Span;
        batch.CopyTo(output.GetSpan(batch.Length));
        output.Advance(batch.Length);
    }

    /// <summary>Builds the batch into a new array.</summary>
    public byte[] ToArray() => Build().ToArray();

    /// <summary>Forgets the records, keeping the header settings and the buffers.</summary>
    public void Clear()
    {
        _batch.Clear();
        ReserveHeader(_batch);
        _count = 0;
        _lastOffsetDelta = -1;
        _baseTimestamp = -1;
        _maxTimestamp = -1;
    }

    /// <summary>Returns the builder's pooled buffers.</summary>
    public void Dispose()
    {
        _batch.Dispose();
        _compressed?.Dispose();
        _compressed = null;
    }

    private static void ReserveHeader(PooledBufferWriter writer)
    {
        writer.GetSpan(RecordBatchHeader.Size)[..RecordBatchHeader.Size].Clear();
        writer.Advance(RecordBatchHeader.Size);
    }

    private void WriteHeader(Span<byte> batch)
    {
        var attributes = (int)Compression & RecordBatchHeader.CompressionMask;
        if (TimestampType == TimestampType.LogAppendTime)
        {
            attributes |= RecordBatchHeader.TimestampTypeMask;
        }

        if (IsTransactional)
        {
            attributes |= RecordBatchHeader.TransactionalMask;
        }

        if (IsControl)
        {
            attributes |= RecordBatchHeader.ControlMask;
        }

        if (DeleteHorizonMs >= 0)
        {
            attributes |= RecordBatchHeader.DeleteHorizonMask;
        }

        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.BaseOffsetOffset..], BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.BatchLengthOffset..], batch.Length - RecordBatchHeader.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.PartitionLeaderEpochOffset..], PartitionLeaderEpoch);
        batch[RecordBatchHeader.MagicOffset] = 2;
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..], (short)attributes);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.LastOffsetDeltaOffset..], Math.Max(_lastOffsetDelta, 0));
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.BaseTimestampOffset..], DeleteHorizonMs >= 0 ? DeleteHorizonMs : _baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.MaxTimestampOffset..], _maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.ProducerIdOffset..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchHeader.ProducerEpochOffset..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.BaseSequenceOffset..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.RecordCountOffset..], _count);
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchHeader.CrcOffset..], Crc32C.Compute(batch[RecordBatchHeader.CrcCoverageStart..]));
    }
}
