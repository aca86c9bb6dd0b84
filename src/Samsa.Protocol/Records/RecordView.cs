namespace Samsa.Protocol.Records;

/// <summary>
/// A record seen in place, without allocating: spans over the batch bytes (or its decompressed
/// copy), valid while those bytes are. A null key or value reads as an empty span with
/// <see cref="IsKeyNull"/> / <see cref="IsValueNull"/> set.
/// </summary>
public readonly ref struct RecordView
{
    private readonly ReadOnlySpan<byte> _data;

    internal RecordView(
        ReadOnlySpan<byte> data,
        long offset,
        long timestamp,
        int offsetDelta,
        long timestampDelta,
        sbyte attributes,
        int keyStart,
        int keyLength,
        int valueStart,
        int valueLength,
        int headersStart,
        int headersEnd,
        int headerCount)
    {
        _data = data;
        Offset = offset;
        Timestamp = timestamp;
        OffsetDelta = offsetDelta;
        TimestampDelta = timestampDelta;
        Attributes = attributes;
        KeyStart = keyStart;
        KeyLength = keyLength;
        ValueStart = valueStart;
        ValueLength = valueLength;
        HeadersStart = headersStart;
        HeadersEnd = headersEnd;
        HeaderCount = headerCount;
    }

    /// <summary>Absolute offset.</summary>
    public long Offset { get; }

    /// <summary>Absolute timestamp; the batch max timestamp under log-append time.</summary>
    public long Timestamp { get; }

    /// <summary>The record's offset relative to the batch base offset.</summary>
    public int OffsetDelta { get; }

    /// <summary>The record's timestamp relative to the batch base timestamp.</summary>
    public long TimestampDelta { get; }

    /// <summary>The record's own attribute byte (unused by Kafka so far).</summary>
    public sbyte Attributes { get; }

    /// <summary>Number of headers the record carries.</summary>
    public int HeaderCount { get; }

    /// <summary>True when the key is null rather than empty.</summary>
    public bool IsKeyNull => KeyLength < 0;

    /// <summary>The key bytes; empty when the key is null (see <see cref="IsKeyNull"/>).</summary>
    public ReadOnlySpan<byte> Key => KeyLength < 0 ? default : _data.Slice(KeyStart, KeyLength);

    /// <summary>True when the value is null (a tombstone) rather than empty.</summary>
    public bool IsValueNull => ValueLength < 0;

    /// <summary>The value bytes; empty when the value is null (see <see cref="IsValueNull"/>).</summary>
    public ReadOnlySpan<byte> Value => ValueLength < 0 ? default : _data.Slice(ValueStart, ValueLength);

    /// <summary>The headers, in order; use in <c>foreach</c>.</summary>
    public RecordHeaderEnumerator Headers => new(_data, HeadersStart, HeadersEnd, HeaderCount);

    internal int KeyStart { get; }

    /// <summary>-1 when the key is null.</summary>
    internal int KeyLength { get; }

    internal int ValueStart { get; }

    /// <summary>-1 when the value is null.</summary>
    internal int ValueLength { get; }

    internal int HeadersStart { get; }

    internal int HeadersEnd { get; }
}
