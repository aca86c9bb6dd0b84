namespace Samsa.Protocol.Records;

/// <summary>
/// One record of a batch with its absolute offset and timestamp. A null key or value is distinct
/// from an empty one. Decoded records slice the batch (or its decompressed copy) without copying.
/// </summary>
public sealed class Record
{
    /// <summary>Creates a record; offsets and timestamps are absolute.</summary>
    public Record(long offset, long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers = null, sbyte attributes = 0)
    {
        Offset = offset;
        Timestamp = timestamp;
        Key = key;
        Value = value;
        Headers = headers ?? [];
        Attributes = attributes;
    }

    /// <summary>Absolute offset: the batch base offset plus the record's offset delta.</summary>
    public long Offset { get; }

    /// <summary>Absolute timestamp in milliseconds; the batch max timestamp when the batch uses log-append time.</summary>
    public long Timestamp { get; }

    /// <summary>The key, or null for a record without one.</summary>
    public ReadOnlyMemory<byte>? Key { get; }

    /// <summary>The value, or null for a tombstone.</summary>
    public ReadOnlyMemory<byte>? Value { get; }

    /// <summary>The record headers in wire order (names may repeat).</summary>
    public IReadOnlyList<RecordHeader> Headers { get; }

    /// <summary>The record's own attribute byte (unused by Kafka so far, kept as read).</summary>
    public sbyte Attributes { get; }

    /// <summary>Offset, timestamp, key and value sizes and header count, for diagnostics.</summary>
    public override string ToString() =>
        $"Record(offset {Offset}, timestamp {Timestamp}, key {Describe(Key)}, value {Describe(Value)}, {Headers.Count} header(s))";

    private static string Describe(ReadOnlyMemory<byte>? bytes) => bytes is null ? "null" : $"{bytes.Value.Length} bytes";
}
