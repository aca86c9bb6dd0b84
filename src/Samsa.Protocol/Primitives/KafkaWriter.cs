using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Samsa.Protocol;

/// <summary>Writes Kafka primitives to an <see cref="IBufferWriter{T}"/>.</summary>
public readonly ref struct KafkaWriter
{
    private readonly IBufferWriter<byte> _output;

    public KafkaWriter(IBufferWriter<byte> output)
    {
        _output = output;
    }

    public IBufferWriter<byte> Output => _output;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt8(sbyte value)
    {
        _output.GetSpan(1)[0] = (byte)value;
        _output.Advance(1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt8(byte value)
    {
        _output.GetSpan(1)[0] = value;
        _output.Advance(1);
    }

    public void WriteBool(bool value) => WriteUInt8(value ? (byte)1 : (byte)0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(_output.GetSpan(2), value);
        _output.Advance(2);
    }

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_output.GetSpan(2), value);
        _output.Advance(2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_output.GetSpan(4), value);
        _output.Advance(4);
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_output.GetSpan(4), value);
        _output.Advance(4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_output.GetSpan(8), value);
        _output.Advance(8);
    }

    public void WriteFloat64(double value)
    {
        BinaryPrimitives.WriteDoubleBigEndian(_output.GetSpan(8), value);
        _output.Advance(8);
    }

    public void WriteUuid(Guid value)
    {
        value.TryWriteBytes(_output.GetSpan(16), bigEndian: true, out _);
        _output.Advance(16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUnsignedVarInt(uint value)
    {
        var written = VarInt.WriteUnsigned(_output.GetSpan(VarInt.MaxBytes32), value);
        _output.Advance(written);
    }

    public void WriteVarInt(int value) => WriteUnsignedVarInt(VarInt.ZigZagEncode(value));

    public void WriteVarLong(long value)
    {
        var written = VarInt.Write(_output.GetSpan(VarInt.MaxBytes64), value);
        _output.Advance(written);
    }

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

    public void WriteNullableString(string? value)
    {
        if (value is null)
        {
            WriteInt16(-1);
            return;
        }

        WriteString(value);
    }

    public void WriteCompactString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WriteUnsignedVarInt((uint)count + 1);
        WriteUtf8(value, count);
    }

    public void WriteCompactNullableString(string? value)
    {
        if (value is null)
        {
            WriteUnsignedVarInt(0);
            return;
        }

        WriteCompactString(value);
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        WriteRaw(value);
    }

    public void WriteNullableBytes(byte[]? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        WriteBytes(value);
    }

    public void WriteCompactBytes(ReadOnlySpan<byte> value)
    {
        WriteUnsignedVarInt((uint)value.Length + 1);
        WriteRaw(value);
    }

    public void WriteCompactNullableBytes(byte[]? value)
    {
        if (value is null)
        {
            WriteUnsignedVarInt(0);
            return;
        }

        WriteCompactBytes(value);
    }

    public void WriteRecords(ReadOnlyMemory<byte>? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        WriteBytes(value.Value.Span);
    }

    public void WriteCompactRecords(ReadOnlyMemory<byte>? value)
    {
        if (value is null)
        {
            WriteUnsignedVarInt(0);
            return;
        }

        WriteCompactBytes(value.Value.Span);
    }

    public void WriteArrayLength(int count) => WriteInt32(count);

    public void WriteCompactArrayLength(int count) => WriteUnsignedVarInt((uint)(count + 1));
}
