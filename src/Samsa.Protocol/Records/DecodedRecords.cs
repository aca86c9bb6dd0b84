namespace Samsa.Protocol.Records;

/// <summary>
/// The records of one batch ready to enumerate without allocating per record. For a compressed
/// batch it owns a pooled buffer holding the decompressed bytes: dispose it once done, and do
/// not keep any <see cref="RecordView"/> span past that.
/// </summary>
public ref struct DecodedRecords
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly RecordBatchHeader _header;
    private readonly bool _decompressed;
    private PooledBufferWriter? _buffer;

    internal DecodedRecords(ReadOnlySpan<byte> data, scoped in RecordBatchHeader header, PooledBufferWriter? buffer)
    {
        _data = data;
        _header = header;
        _buffer = buffer;
        _decompressed = buffer is not null;
    }

    /// <summary>The uncompressed records section.</summary>
    public readonly ReadOnlySpan<byte> Data => _data;

    /// <summary>The record count the batch header declares.</summary>
    public readonly int Count => _header.RecordCount;

    /// <summary>Enumerates the records of the batch in offset order.</summary>
    public readonly RecordEnumerator GetEnumerator() => new(_data, _header, _decompressed);

    /// <summary>Returns the decompression buffer to the pool.</summary>
    public void Dispose()
    {
        _buffer?.Dispose();
        _buffer = null;
    }
}
