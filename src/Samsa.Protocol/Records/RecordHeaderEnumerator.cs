namespace Samsa.Protocol.Records;

/// <summary>Walks the headers of a <see cref="RecordView"/> without allocating. The headers were validated when the record was read.</summary>
public ref struct RecordHeaderEnumerator
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _end;
    private int _position;
    private int _remaining;
    private RecordHeaderView _current;

    internal RecordHeaderEnumerator(ReadOnlySpan<byte> data, int start, int end, int count)
    {
        _data = data;
        _position = start;
        _end = end;
        _remaining = count;
        _current = default;
    }

    /// <summary>The header the last successful <see cref="MoveNext"/> decoded.</summary>
    public readonly RecordHeaderView Current => _current;

    /// <summary>Returns this enumerator, so that it can be used in <c>foreach</c>.</summary>
    public readonly RecordHeaderEnumerator GetEnumerator() => this;

    /// <summary>Decodes the next header; false after the last one.</summary>
    public bool MoveNext()
    {
        if (_remaining <= 0)
        {
            return false;
        }

        var body = _data[.._end];
        var p = _position;
        if (!RecordVarInt.TryReadInt32(body, ref p, out var keyLength) || (uint)keyLength > (uint)(body.Length - p))
        {
            _remaining = 0;
            return false;
        }

        var keyStart = p;
        p += keyLength;
        if (!RecordVarInt.TryReadInt32(body, ref p, out var valueLength) || valueLength < -1 || valueLength > body.Length - p)
        {
            _remaining = 0;
            return false;
        }

        var valueStart = p;
        if (valueLength > 0)
        {
            p += valueLength;
        }

        _current = new RecordHeaderView(_data, keyStart, keyLength, valueStart, valueLength);
        _position = p;
        _remaining--;
        return true;
    }
}
