using System.Buffers.Binary;
using Samsa.Protocol.Records.Compression;

namespace Samsa.Protocol.Records;

/// <summary>
/// One complete magic-2 record batch: its parsed header and its bytes (header included). Checks
/// the CRC on request and decodes its records, decompressing when needed.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Both ReadRecords overloads take the same optional size limit; none has shipped, so adding them together breaks no compiled caller.")]
public readonly struct RecordBatch
{
    internal RecordBatch(in RecordBatchHeader header, ReadOnlyMemory<byte> memory)
    {
        Header = header;
        Memory = memory;
    }

    /// <summary>The fixed 61-byte header, decoded.</summary>
    public RecordBatchHeader Header { get; }

    /// <summary>The whole batch as on the wire, from the base offset to the last record byte.</summary>
    public ReadOnlyMemory<byte> Memory { get; }

    /// <summary>The bytes after the 61-byte header: the records, compressed as a single block when the batch is compressed.</summary>
    public ReadOnlyMemory<byte> RecordsSection => Memory[RecordBatchHeader.Size..];

    /// <summary>
    /// Reads the batch at the start of <paramref name="bytes"/>, which must hold all of it; bytes past
    /// its end are ignored. Throws <see cref="ProtocolException"/> when it is incomplete or malformed.
    /// </summary>
    public static RecordBatch Parse(ReadOnlyMemory<byte> bytes)
    {
        var reader = new RecordBatchReader(bytes);
        if (!reader.TryReadNext(out var batch))
        {
            throw new ProtocolException($"Incomplete record batch: {bytes.Length} byte(s) do not hold a whole batch.");
        }

        return batch;
    }

    /// <summary>The CRC-32C of the batch from its attributes to its end.</summary>
    public uint ComputeCrc() => Crc32C.Compute(Memory.Span[RecordBatchHeader.CrcCoverageStart..]);

    /// <summary>True when the CRC in the header matches the data.</summary>
    public bool VerifyCrc() => ComputeCrc() == Header.Crc;

    /// <summary>Throws <see cref="ProtocolException"/> when the CRC in the header does not match the data.</summary>
    public void EnsureValidCrc()
    {
        var actual = ComputeCrc();
        if (actual != Header.Crc)
        {
            throw new ProtocolException(
                $"CRC mismatch in the record batch at base offset {Header.BaseOffset}: expected 0x{Header.Crc:X8} (from the header), computed 0x{actual:X8} over {Memory.Length - RecordBatchHeader.CrcCoverageStart} bytes.");
        }
    }

    /// <summary>
    /// The records for allocation-free enumeration (<c>using var records = batch.DecodeRecords(); foreach (var r in records)</c>).
    /// Compressed batches are decompressed into a pooled buffer of at most <paramref name="maxDecompressedSize"/> bytes.
    /// Does not check the CRC.
    /// </summary>
    public DecodedRecords DecodeRecords(int maxDecompressedSize = RecordCompression.DefaultMaxDecompressedSize)
    {
        var header = Header;
        var section = RecordsSection.Span;
        if (header.Compression == CompressionType.None)
        {
            return new DecodedRecords(section, header, null);
        }

        var buffer = new PooledBufferWriter(RecordCompression.InitialCapacity(section.Length, maxDecompressedSize));
        try
        {
            RecordCompression.Decompress(header.Compression, section, buffer, maxDecompressedSize);
        }
        catch (ProtocolException ex)
        {
            buffer.Dispose();
            throw InBatch(ex);
        }

        return new DecodedRecords(buffer.WrittenSpan, header, buffer);
    }

    /// <summary>Decodes every record into a new list; keys, values and header values slice the batch (or a decompressed copy). Does not check the CRC.</summary>
    public List<Record> ReadRecords(int maxDecompressedSize = RecordCompression.DefaultMaxDecompressedSize)
    {
        var records = new List<Record>();
        ReadRecords(records, maxDecompressedSize);
        return records;
    }

    /// <summary>Decodes every record and appends it to <paramref name="destination"/>. Does not check the CRC.</summary>
    public void ReadRecords(List<Record> destination, int maxDecompressedSize = RecordCompression.DefaultMaxDecompressedSize)
    {
        var header = Header;
        ReadOnlyMemory<byte> data;
        if (header.Compression == CompressionType.None)
        {
            data = RecordsSection;
        }
        else
        {
            try
            {
                data = RecordCompression.Decompress(header.Compression, RecordsSection.Span, maxDecompressedSize);
            }
            catch (ProtocolException ex)
            {
                throw InBatch(ex);
            }
        }

        // The declared count is only a hint: never reserve more than the bytes could hold.
        var plausible = Math.Min(Math.Max(header.RecordCount, 0), data.Length / (RecordEnumerator.MinRecordBodySize + 1));
        destination.EnsureCapacity(destination.Count + plausible);

        var enumerator = new RecordEnumerator(data.Span, header, header.Compression != CompressionType.None);
        while (enumerator.MoveNext())
        {
            destination.Add(ToRecord(enumerator.Current, data));
        }
    }

    private static Record ToRecord(in RecordView view, ReadOnlyMemory<byte> data)
    {
        RecordHeader[] headers = view.HeaderCount == 0 ? [] : new RecordHeader[view.HeaderCount];
        var i = 0;
        foreach (var header in view.Headers)
        {
            headers[i++] = new RecordHeader(header.GetKeyString(), Slice(data, header.ValueStart, header.ValueLength));
        }

        return new Record(
            view.Offset,
            view.Timestamp,
            Slice(data, view.KeyStart, view.KeyLength),
            Slice(data, view.ValueStart, view.ValueLength),
            headers,
            view.Attributes);
    }

    // The cast matters: a bare null would convert to empty memory through the byte[] conversion.
    private static ReadOnlyMemory<byte>? Slice(ReadOnlyMemory<byte> data, int start, int length) =>
        length < 0 ? (ReadOnlyMemory<byte>?)null : data.Slice(start, length);

    private ProtocolException InBatch(ProtocolException inner) =>
        new($"Record batch at base offset {Header.BaseOffset}: {inner.Detail}", inner);

    /// <summary>The CRC-32C a batch should carry, computed over <paramref name="batch"/> from its attributes to the end its length declares.</summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> batch) => Crc32C.Compute(CrcCoverage(batch));

    /// <summary>True when the CRC in the header of <paramref name="batch"/> matches its data.</summary>
    public static bool VerifyCrc(ReadOnlySpan<byte> batch) =>
        ComputeCrc(batch) == BinaryPrimitives.ReadUInt32BigEndian(batch[RecordBatchHeader.CrcOffset..]);

    /// <summary>Recomputes and writes the CRC of <paramref name="batch"/> in place, after its covered fields changed.</summary>
    public static void RewriteCrc(Span<byte> batch) =>
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchHeader.CrcOffset..], ComputeCrc(batch));

    /// <summary>
    /// Marks <paramref name="batch"/> as log-append time with <paramref name="timestamp"/> as its max
    /// timestamp (what a broker does with message.timestamp.type=LogAppendTime), then rewrites the CRC.
    /// </summary>
    public static void StampLogAppendTime(Span<byte> batch, long timestamp)
    {
        CrcCoverage(batch);
        var attributes = BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..]);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..], (short)(attributes | RecordBatchHeader.TimestampTypeMask));
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.MaxTimestampOffset..], timestamp);
        RewriteCrc(batch);
    }

    /// <summary>The CRC-covered bytes of the batch at the start of <paramref name="batch"/>, checked against its declared length.</summary>
    private static ReadOnlySpan<byte> CrcCoverage(ReadOnlySpan<byte> batch)
    {
        if (batch.Length < RecordBatchHeader.Size)
        {
            throw new ProtocolException($"A record batch needs at least {RecordBatchHeader.Size} bytes; got {batch.Length}.");
        }

        var batchLength = BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchHeader.BatchLengthOffset..]);
        if (batchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead || batchLength > batch.Length - RecordBatchHeader.LogOverhead)
        {
            throw new ProtocolException($"Record batch length {batchLength} does not fit the {batch.Length} byte(s) given.");
        }

        return batch[RecordBatchHeader.CrcCoverageStart..(RecordBatchHeader.LogOverhead + batchLength)];
    }
}
