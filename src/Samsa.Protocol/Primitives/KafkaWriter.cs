using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Samsa.Protocol;

/// <summary>Writes Kafka primitives to an <see cref="IBufferWriter{T}"/>.</summary>
public readonly ref struct KafkaWriter
{
    private readonly IBufferWriter<byte> _output;

    /// <summary>Writes to <paramref name="output"/>, which must outlive the writer.</summary>
    public KafkaWriter(IBufferWriter<byte> output)
    {
        _output = output;
    }

    /// <summary>The buffer this writer appends to.</summary>
    public IBufferWriter<byte> Output => _output;

    /// <summary>Writes a signed byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt8(sbyte value)
    {
        _output.GetSpan(1)[0] = (byte)value;
        _output.Advance(1);
    }

    /// <summary>Writes an unsigned byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt8(byte value)
    {
        _output.GetSpan(1)[0] = value;
        _output.Advance(1);
    }

    /// <summary>Writes a boolean as one byte, 1 or 0.</summary>
    public void WriteBool(bool value) => WriteUInt8(value ? (byte)1 : (byte)0);

    /// <summary>Writes a big-endian int16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(_output.GetSpan(2), value);
        _output.Advance(2);
    }

    /// <summary>Writes a big-endian uint16.</summary>
    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_output.GetSpan(2), value);
        _output.Advance(2);
    }

    /// <summary>Writes a big-endian int32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_output.GetSpan(4), value);
        _output.Advance(4);
    }

    /// <summary>Writes a big-endian uint32.</summary>
    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_output.GetSpan(4), value);
        _output.Advance(4);
    }

    /// <summary>Writes a big-endian int64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_output.GetSpan(8), value);
        _output.Advance(8);
    }

    /// <summary>Writes a big-endian IEEE 754 double.</summary>
    public void WriteFloat64(double value)
    {
        BinaryPrimitives.WriteDoubleBigEndian(_output.GetSpan(8), value);
        _output.Advance(8);
    }

    /// <summary>Writes a UUID as 16 bytes in big-endian order.</summary>
    public void WriteUuid(Guid value)
    {
        value.TryWriteBytes(_output.GetSpan(16), bigEndian: true, out _);
        _output.Advance(16);
    }

    /// <summary>Writes an unsigned variable-length int32 (7 bits a byte, low bits first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUnsignedVarInt(uint value)
    {
        var written = VarInt.WriteUnsigned(_output.GetSpan(VarInt.MaxBytes32), value);
        _output.Advance(written);
    }

    /// <summary>Writes a zig-zag encoded variable-length int32.</summary>
    public void WriteVarInt(int value) => WriteUnsignedVarInt(VarInt.ZigZagEncode(value));

    /// <summary>Writes a zig-zag encoded variable-length int64.</summary>
    public void WriteVarLong(long value)
    {
        var written = VarInt.Write(_output.GetSpan(VarInt.MaxBytes64), value);
        _output.Advance(written);
    }

    /// <summary>Writes bytes as they are, with no length prefix.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
        {
            return;
        }

        bytes.CopyTo(_output.GetSpan(bytes.Length));
        _output.Advance(bytes.Length);
    }

    private void WriteUtf8(string value, int byteCount)
    {
        if (byteCount == 0)
        {
            return;
        }

        var written = Encoding.UTF8.GetBytes(value, _output.GetSpan(byteCount));
        _output.Advance(written);
    }

    /// <summary>Writes a non-null string with an int16 length prefix.</summary>
    /// <exception cref="ProtocolException">The UTF-8 form is longer than an int16 length allows.</exception>
    public void WriteString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        if (count > short.MaxValue)
        {
            ThrowHelper.ThrowProtocol($"String of {count} UTF-8 bytes is longer than the {short.MaxValue} an int16 length allows.");
        }

        WriteInt16((short)count);
        WriteUtf8(value, count);
    }

    /// <summary>Writes a string with an int16 length prefix; null is written as -1.</summary>
    public void WriteNullableString(string? value)
    {
        if (value is null)
        {
            WriteInt16(-1);
            return;
        }

        WriteString(value);
    }

    /// <summary>Writes a non-null compact string (unsigned varint length + 1).</summary>
    public void WriteCompactString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WriteUnsignedVarInt((uint)count + 1);
        WriteUtf8(value, count);
    }

    /// <summary>Writes a compact string (unsigned varint length + 1); null is written as 0.</summary>
    public void WriteCompactNullableString(string? value)
    {
        if (value is null)
        {
            WriteUnsignedVarInt(0);
            return;
        }

        WriteCompactString(value);
    }

    /// <summary>Writes bytes with an int32 length prefix.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        WriteRaw(value);
    }

    /// <summary>Writes bytes with an int32 length prefix; null is written as -1.</summary>
    public void WriteNullableBytes(byte[]? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        WriteBytes(value);
    }

    /// <summary>Writes compact bytes (unsigned varint length + 1).</summary>
    public void WriteCompactBytes(ReadOnlySpan<byte> value)
    {
        WriteUnsignedVarInt((uint)value.Length + 1);
        WriteRaw(value);
    }

    /// <summary>Writes compact bytes (unsigned varint length + 1); null is written as 0.</summary>
    public void WriteCompactNullableBytes(byte[]? value)
    {
        if (value is null)
        {
            WriteUnsignedVarInt(0);
            return;
        }

        WriteCompactBytes(value);
    }

    /// <summary>Writes a <c>records</c> field with an int32 length prefix; null is written as -1.</summary>
    public void WriteRecords(ReadOnlyMemory<byte>? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        WriteBytes(value.Value.Span);
    }

    /// <summary>Writes a compact <c>records</c> field (unsigned varint length + 1); null is written as 0.</summary>
    public void WriteCompactRecords(ReadOnlyMemory<byte>? value)
    {
        if (value is null)
        {
            WriteUnsignedVarInt(0);
            return;
        }

        WriteCompactBytes(value.Value.Span);
    }

    /// <summary>Writes an array count as int32; -1 means a null array.</summary>
    public void WriteArrayLength(int count) => WriteInt32(count);

    /// <summary>Writes a compact array count (count + 1 as an unsigned varint); -1 means a null array.</summary>
    public void WriteCompactArrayLength(int count) => WriteUnsignedVarInt((uint)(count + 1));
}
