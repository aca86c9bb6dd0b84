using System.Diagnostics.CodeAnalysis;

namespace Samsa.Protocol.Records;

/// <summary>
/// Reads the records of one batch from its (uncompressed or decompressed) records section, one
/// <see cref="RecordView"/> at a time, checking every length against the bytes that remain and the
/// record count against the data. Every problem is a <see cref="ProtocolException"/> naming the
/// record, the batch base offset and the byte position.
/// </summary>
public ref struct RecordEnumerator
{
    /// <summary>attributes, timestamp delta, offset delta, key length, value length, header count: one byte each at least.</summary>
    internal const int MinRecordBodySize = 6;

    private readonly ReadOnlySpan<byte> _data;
    private readonly long _baseOffset;
    private readonly long _baseTimestamp;
    private readonly long _maxTimestamp;
    private readonly int _lastOffsetDelta;
    private readonly int _count;
    private readonly bool _logAppendTime;
    private readonly bool _decompressed;
    private int _position;
    private int _index;
    private int _previousOffsetDelta;
    private RecordView _current;

    internal RecordEnumerator(ReadOnlySpan<byte> data, scoped in RecordBatchHeader header, bool decompressed)
    {
        if (header.RecordCount < 0)
        {
            throw new ProtocolException($"Record batch at base offset {header.BaseOffset} declares a negative record count {header.RecordCount}.");
        }

        _data = data;
        _baseOffset = header.BaseOffset;
        _baseTimestamp = header.BaseTimestamp;
        _maxTimestamp = header.MaxTimestamp;
        _lastOffsetDelta = header.LastOffsetDelta;
        _count = header.RecordCount;
        _logAppendTime = header.TimestampType == TimestampType.LogAppendTime;
        _decompressed = decompressed;
        _position = 0;
        _index = 0;
        _previousOffsetDelta = -1;
        _current = default;
    }

    /// <summary>The record the last successful <see cref="MoveNext"/> decoded.</summary>
    public readonly RecordView Current => _current;

    /// <summary>Records read so far.</summary>
    public readonly int Index => _index;

    /// <summary>Returns this enumerator, so that it can be used in <c>foreach</c>.</summary>
    public readonly RecordEnumerator GetEnumerator() => this;

    /// <summary>Decodes the next record; false after the last one.</summary>
    public bool MoveNext()
    {
        if (_index >= _count)
        {
            if (_position != _data.Length)
            {
                throw new ProtocolException(
                    $"Record batch at base offset {_baseOffset} declares {_count} record(s) but {_data.Length - _position} byte(s) of the {Section} follow the last one.");
            }

            return false;
        }

        if (_position >= _data.Length)
        {
            throw new ProtocolException(
                $"Record batch at base offset {_baseOffset} declares {_count} record(s) but its {Section} ({_data.Length} bytes) ends after {_index}.");
        }

        ReadRecord();
        _index++;
        return true;
    }

    private readonly string Section => _decompressed ? "decompressed records section" : "records section";

    private void ReadRecord()
    {
        var data = _data;
        var start = _position;
        var p = start;
        if (!RecordVarInt.TryReadInt32(data, ref p, out var length))
        {
            Fail("malformed or truncated record length varint", start);
        }

        if (length < MinRecordBodySize)
        {
            Fail($"record length {length} is below the {MinRecordBodySize}-byte minimum", start);
        }

        if (length > data.Length - p)
        {
            Fail($"record length {length} runs past the end of the {Section} ({data.Length - p} byte(s) remain)", start);
        }

        // Every field below is read within the record's own bytes.
        var body = data[..(p + length)];
        var attributes = (sbyte)body[p++];

        var at = p;
        if (!RecordVarInt.TryReadInt64(body, ref p, out var timestampDelta))
        {
            Fail("malformed or truncated timestamp delta", at);
        }

        at = p;
        if (!RecordVarInt.TryReadInt32(body, ref p, out var offsetDelta))
        {
            Fail("malformed or truncated offset delta", at);
        }

        if (offsetDelta < 0 || offsetDelta > _lastOffsetDelta)
        {
            Fail($"offset delta {offsetDelta} is outside 0..{_lastOffsetDelta} (the batch's last offset delta)", at);
        }

        if (offsetDelta <= _previousOffsetDelta)
        {
            Fail($"offset delta {offsetDelta} does not increase (the previous record has {_previousOffsetDelta})", at);
        }

        var keyLength = ReadLength(body, ref p, "key", nullable: true);
        var keyStart = p;
        p += Math.Max(keyLength, 0);

        var valueLength = ReadLength(body, ref p, "value", nullable: true);
        var valueStart = p;
        p += Math.Max(valueLength, 0);

        at = p;
        if (!RecordVarInt.TryReadInt32(body, ref p, out var headerCount))
        {
            Fail("malformed or truncated header count", at);
        }

        if (headerCount < 0 || headerCount > (body.Length - p) / 2)
        {
            Fail($"header count {headerCount} is impossible with {body.Length - p} byte(s) left in the record", at);
        }

        var headersStart = p;
        for (var i = 0; i < headerCount; i++)
        {
            var headerKeyLength = ReadLength(body, ref p, "header key", nullable: false);
            p += headerKeyLength;
            var headerValueLength = ReadLength(body, ref p, "header value", nullable: true);
            p += Math.Max(headerValueLength, 0);
        }

        if (p != body.Length)
        {
            Fail($"record length {length} leaves {body.Length - p} byte(s) unused after its headers", start);
        }

        var timestamp = _logAppendTime ? _maxTimestamp : unchecked(_baseTimestamp + timestampDelta);
        _current = new RecordView(
            data,
            _baseOffset + offsetDelta,
            timestamp,
            offsetDelta,
            timestampDelta,
            attributes,
            keyStart,
            keyLength,
            valueStart,
            valueLength,
            headersStart,
            p,
            headerCount);
        _previousOffsetDelta = offsetDelta;
        _position = p;
    }

    /// <summary>Reads a length varint (-1 = null when <paramref name="nullable"/>) that must fit in the record's remaining bytes.</summary>
    private readonly int ReadLength(ReadOnlySpan<byte> body, ref int p, string what, bool nullable)
    {
        var at = p;
        if (!RecordVarInt.TryReadInt32(body, ref p, out var length))
        {
            Fail($"malformed or truncated {what} length varint", at);
        }

        if (length < 0)
        {
            if (length == -1 && nullable)
            {
                return -1;
            }

            Fail($"invalid {what} length {length}", at);
        }

        if (length > body.Length - p)
        {
            Fail($"{what} length {length} runs past the end of the record ({body.Length - p} byte(s) remain)", at);
        }

        return length;
    }

    [DoesNotReturn]
    private readonly void Fail(string problem, int at) =>
        throw new ProtocolException($"Record {_index} of the batch at base offset {_baseOffset}: {problem}, at byte {at} of the {Section}.");
}
