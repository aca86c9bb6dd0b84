using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Samsa.Protocol;

/// <summary>
/// Reads Kafka primitives from one contiguous buffer. Every length is checked against the bytes
/// that remain before anything is allocated, and every failure is a <see cref="ProtocolException"/>
/// that names the offset. When built over <see cref="ReadOnlyMemory{T}"/>, <c>records</c> fields are
/// returned as slices of that memory without copying.
/// </summary>
public ref struct KafkaReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _span;
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly bool _hasMemory;
    private int _position;

    /// <summary>Reads from <paramref name="memory"/>; <c>records</c> fields come back as slices of it.</summary>
    public KafkaReader(ReadOnlyMemory<byte> memory)
    {
        _memory = memory;
        _span = memory.Span;
        _hasMemory = true;
        _position = 0;
    }

    /// <summary>Reads from <paramref name="span"/>; <c>records</c> fields are copied, since a span cannot be kept.</summary>
    public KafkaReader(ReadOnlySpan<byte> span)
    {
        _span = span;
        _memory = default;
        _hasMemory = false;
        _position = 0;
    }

    /// <summary>Bytes read so far.</summary>
    public readonly int Position => _position;

    /// <summary>Total bytes in the buffer.</summary>
    public readonly int Length => _span.Length;

    /// <summary>Bytes not read yet.</summary>
    public readonly int Remaining => _span.Length - _position;

    /// <summary>True when every byte has been read.</summary>
    public readonly bool End => _position >= _span.Length;

    /// <summary>The bytes not read yet.</summary>
    public readonly ReadOnlySpan<byte> RemainingSpan => _span[_position..];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if ((uint)count > (uint)(_span.Length - _position))
        {
            ThrowHelper.ThrowTruncated(count, _position, _span.Length, what);
        }

        var slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    /// <summary>Reads a signed byte.</summary>
    public sbyte ReadInt8() => (sbyte)Take(1, "int8")[0];

    /// <summary>Reads an unsigned byte.</summary>
    public byte ReadUInt8() => Take(1, "int8")[0];

    /// <summary>Reads a boolean byte; any value but 0 is true.</summary>
    public bool ReadBool() => Take(1, "bool")[0] != 0;

    /// <summary>Reads a big-endian int16.</summary>
    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2, "int16"));

    /// <summary>Reads a big-endian uint16.</summary>
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2, "uint16"));

    /// <summary>Reads a big-endian int32.</summary>
    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4, "int32"));

    /// <summary>Reads a big-endian uint32.</summary>
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4, "uint32"));

    /// <summary>Reads a big-endian int64.</summary>
    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8, "int64"));

    /// <summary>Reads a big-endian IEEE 754 double.</summary>
    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8, "float64"));

    /// <summary>Reads a 16-byte UUID in big-endian order.</summary>
    public Guid ReadUuid() => new(Take(16, "uuid"), bigEndian: true);

    /// <summary>Reads an unsigned variable-length int32 (7 bits a byte, low bits first).</summary>
    public uint ReadUnsignedVarInt()
    {
        if (!VarInt.TryReadUnsigned(_span[_position..], out uint value, out var read))
        {
            ThrowHelper.ThrowTruncated(1, _span.Length, _span.Length, "unsigned varint");
        }

        _position += read;
        return value;
    }

    /// <summary>Reads a zig-zag encoded variable-length int32.</summary>
    public int ReadVarInt()
    {
        if (!VarInt.TryRead(_span[_position..], out int value, out var read))
        {
            ThrowHelper.ThrowTruncated(1, _span.Length, _span.Length, "varint");
        }

        _position += read;
        return value;
    }

    /// <summary>Reads a zig-zag encoded variable-length int64 (record fields).</summary>
    public long ReadVarLong()
    {
        if (!VarInt.TryRead(_span[_position..], out long value, out var read))
        {
            ThrowHelper.ThrowTruncated(1, _span.Length, _span.Length, "varlong");
        }

        _position += read;
        return value;
    }

    /// <summary>Reads a length that must fit in the remaining bytes; -1 means null when <paramref name="nullable"/>.</summary>
    private int CheckLength(long length, bool nullable, string what, int at)
    {
        if (length < 0)
        {
            if (length == -1 && nullable)
            {
                return -1;
            }

            ThrowHelper.ThrowNegativeLength((int)Math.Max(length, int.MinValue), at, what);
        }

        if (length > Remaining)
        {
            ThrowHelper.ThrowLengthExceedsRemaining(length, at, Remaining, what);
        }

        return (int)length;
    }

    /// <summary>Reads the length of a compact (uvarint length + 1) field; returns -1 for null.</summary>
    private int ReadCompactLength(bool nullable, string what)
    {
        var at = _position;
        long raw = ReadUnsignedVarInt();
        return CheckLength(raw - 1, nullable, what, at);
    }

    private string DecodeString(int length)
    {
        var at = _position;
        var bytes = Take(length, "string");
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            ThrowHelper.ThrowInvalidUtf8(at);
            return null;
        }
    }

    /// <summary>Reads a non-null string with an int16 length prefix.</summary>
    public string ReadString()
    {
        var at = _position;
        return DecodeString(CheckLength(ReadInt16(), nullable: false, "string", at));
    }

    /// <summary>Reads a string with an int16 length prefix; -1 is null.</summary>
    public string? ReadNullableString()
    {
        var at = _position;
        var length = CheckLength(ReadInt16(), nullable: true, "string", at);
        return length < 0 ? null : DecodeString(length);
    }

    /// <summary>Reads a non-null compact string (unsigned varint length + 1).</summary>
    public string ReadCompactString() => DecodeString(ReadCompactLength(nullable: false, "compact string"));

    /// <summary>Reads a compact string (unsigned varint length + 1); 0 is null.</summary>
    public string? ReadCompactNullableString()
    {
        var length = ReadCompactLength(nullable: true, "compact string");
        return length < 0 ? null : DecodeString(length);
    }

    /// <summary>Reads non-null bytes with an int32 length prefix, copied into a new array.</summary>
    public byte[] ReadBytes()
    {
        var at = _position;
        return Take(CheckLength(ReadInt32(), nullable: false, "bytes", at), "bytes").ToArray();
    }

    /// <summary>Reads bytes with an int32 length prefix (-1 is null), copied into a new array.</summary>
    public byte[]? ReadNullableBytes()
    {
        var at = _position;
        var length = CheckLength(ReadInt32(), nullable: true, "bytes", at);
        return length < 0 ? null : Take(length, "bytes").ToArray();
    }

    /// <summary>Reads non-null compact bytes (unsigned varint length + 1), copied into a new array.</summary>
    public byte[] ReadCompactBytes() => Take(ReadCompactLength(nullable: false, "compact bytes"), "bytes").ToArray();

    /// <summary>Reads compact bytes (unsigned varint length + 1, 0 is null), copied into a new array.</summary>
    public byte[]? ReadCompactNullableBytes()
    {
        var length = ReadCompactLength(nullable: true, "compact bytes");
        return length < 0 ? null : Take(length, "bytes").ToArray();
    }

    /// <summary>Reads a <c>records</c> field (int32 length, nullable) as a slice of the source without copying where possible.</summary>
    public ReadOnlyMemory<byte>? ReadRecords()
    {
        var at = _position;
        var length = CheckLength(ReadInt32(), nullable: true, "records", at);
        return length < 0 ? (ReadOnlyMemory<byte>?)null : Slice(length);
    }

    /// <summary>Reads a compact <c>records</c> field (unsigned varint length + 1, nullable) as a slice of the source without copying where possible.</summary>
    public ReadOnlyMemory<byte>? ReadCompactRecords()
    {
        var length = ReadCompactLength(nullable: true, "compact records");
        return length < 0 ? (ReadOnlyMemory<byte>?)null : Slice(length);
    }

    /// <summary>Reads <paramref name="length"/> raw bytes as memory: a slice when the reader owns memory, else a copy.</summary>
    public ReadOnlyMemory<byte> Slice(int length)
    {
        var start = _position;
        var bytes = Take(length, "bytes");
        return _hasMemory ? _memory.Slice(start, length) : bytes.ToArray();
    }

    /// <summary>Reads <paramref name="length"/> raw bytes as a span over the source.</summary>
    public ReadOnlySpan<byte> ReadSpan(int length) => Take(length, "bytes");

    /// <summary>Reads an int32 array count; -1 (null) only when <paramref name="nullable"/>. The count is bounded by the bytes that remain.</summary>
    public int ReadArrayLength(bool nullable)
    {
        var at = _position;
        return CheckLength(ReadInt32(), nullable, "array", at);
    }

    /// <summary>Reads a compact array count (uvarint count + 1); -1 for null.</summary>
    public int ReadCompactArrayLength(bool nullable) => ReadCompactLength(nullable, "compact array");

    /// <summary>Moves past <paramref name="count"/> bytes without reading them.</summary>
    public void Skip(int count) => Take(count, "skipped bytes");
}
