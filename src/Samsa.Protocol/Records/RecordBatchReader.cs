using System.Buffers.Binary;
using Samsa.Protocol.Records.Compression;

namespace Samsa.Protocol.Records;

/// <summary>
/// Walks the record batches of a <c>records</c> field (zero or more batches back to back). A
/// trailing partial batch, which a fetch response may legally end with, stops the walk and is
/// reported through <see cref="PartialBytes"/> rather than thrown. Malformed batches throw
/// <see cref="ProtocolException"/>.
/// </summary>
public struct RecordBatchReader
{
    private readonly ReadOnlyMemory<byte> _records;
    private int _position;
    private RecordBatch _current;

    /// <summary>Reads the batches in <paramref name="records"/>, the contents of a <c>records</c> field.</summary>
    public RecordBatchReader(ReadOnlyMemory<byte> records)
    {
        _records = records;
        _position = 0;
        _current = default;
    }

    /// <summary>Bytes consumed by the complete batches read so far.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes after the last complete batch; once <see cref="TryReadNext"/> returns false, these are a partial batch.</summary>
    public readonly int PartialBytes => _records.Length - _position;

    /// <summary>True once the walk ended on a partial batch rather than at the end of the data.</summary>
    public readonly bool EndedWithPartialBatch => PartialBytes > 0;

    /// <summary>The batch the last successful <see cref="MoveNext"/> read.</summary>
    public readonly RecordBatch Current => _current;

    /// <summary>Reads the next complete batch; false at the end of the data or at a trailing partial batch.</summary>
    public bool TryReadNext(out RecordBatch batch)
    {
        var span = _records.Span[_position..];
        if (span.Length < RecordBatchHeader.LogOverhead)
        {
            batch = default;
            return false;
        }

        var batchLength = BinaryPrimitives.ReadInt32BigEndian(span[RecordBatchHeader.BatchLengthOffset..]);
        if (batchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead)
        {
            throw new ProtocolException(
                $"Record batch at byte {_position} (base offset {BinaryPrimitives.ReadInt64BigEndian(span)}) has length {batchLength}, below the {RecordBatchHeader.Size - RecordBatchHeader.LogOverhead}-byte minimum.");
        }

        var total = (long)batchLength + RecordBatchHeader.LogOverhead;
        if (total > span.Length)
        {
            batch = default;
            return false;
        }

        var magic = (sbyte)span[RecordBatchHeader.MagicOffset];
        if (magic != 2)
        {
            throw new ProtocolException(
                $"Record batch at byte {_position} (base offset {BinaryPrimitives.ReadInt64BigEndian(span)}) has magic {magic}; only magic 2 record batches are supported.");
        }

        RecordBatchHeader.TryRead(span, out var header);
        batch = new RecordBatch(header, _records.Slice(_position, (int)total));
        _position += (int)total;
        return true;
    }

    /// <summary>Enumeration support: <c>foreach (var batch in new RecordBatchReader(records))</c>.</summary>
    public readonly RecordBatchReader GetEnumerator() => this;

    /// <summary>Reads the next batch.</summary>
    /// <returns>False at the end, or when only a partial batch remains (a fetch may cut the last one).</returns>
    public bool MoveNext() => TryReadNext(out _current);

    /// <summary>
    /// Decodes every record of every complete batch in <paramref name="records"/>, checking each CRC
    /// when <paramref name="verifyCrc"/>. A trailing partial batch is skipped.
    /// </summary>
    public static List<Record> ReadAllRecords(ReadOnlyMemory<byte> records, bool verifyCrc = true, int maxDecompressedSize = RecordCompression.DefaultMaxDecompressedSize)
    {
        var result = new List<Record>();
        var reader = new RecordBatchReader(records);
        while (reader.TryReadNext(out var batch))
        {
            if (verifyCrc)
            {
                batch.EnsureValidCrc();
            }

            batch.ReadRecords(result, maxDecompressedSize);
        }

        return result;
    }
}
