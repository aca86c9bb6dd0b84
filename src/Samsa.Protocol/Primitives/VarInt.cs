using System.Runtime.CompilerServices;

namespace Samsa.Protocol;

/// <summary>
/// Unsigned LEB128 varints and their zig-zag signed forms, as used by flexible versions
/// (unsigned) and record batches (signed). Readers return false on truncated input and
/// throw <see cref="ProtocolException"/> on an over-long encoding.
/// </summary>
internal static class VarInt
{
    public const int MaxBytes32 = 5;
    public const int MaxBytes64 = 10;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ZigZagEncode(int value) => (uint)((value << 1) ^ (value >> 31));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ZigZagDecode(uint value) => (int)(value >> 1) ^ -(int)(value & 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ZigZagEncode(long value) => (ulong)((value << 1) ^ (value >> 63));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ZigZagDecode(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    /// <summary>Bytes needed to encode <paramref name="value"/> as an unsigned varint.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOfUnsigned(uint value) => (38 - System.Numerics.BitOperations.LeadingZeroCount(value | 1)) / 7;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOfUnsigned(ulong value) => (70 - System.Numerics.BitOperations.LeadingZeroCount(value | 1)) / 7;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOf(int value) => SizeOfUnsigned(ZigZagEncode(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOf(long value) => SizeOfUnsigned(ZigZagEncode(value));

    /// <summary>Reads an unsigned 32-bit varint. Returns false when the span ends first.</summary>
    public static bool TryReadUnsigned(ReadOnlySpan<byte> source, out uint value, out int bytesRead)
    {
        uint result = 0;
        for (var i = 0; i < MaxBytes32; i++)
        {
            if (i >= source.Length)
            {
                value = 0;
                bytesRead = 0;
                return false;
            }

            uint b = source[i];
            if (i == MaxBytes32 - 1 && b > 0x0F)
            {
                // The fifth byte may carry only the top four bits of a 32-bit value.
                ThrowHelper.ThrowVarIntTooLong(i, MaxBytes32);
            }

            result |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                value = result;
                bytesRead = i + 1;
                return true;
            }
        }

        ThrowHelper.ThrowVarIntTooLong(0, MaxBytes32);
        value = 0;
        bytesRead = 0;
        return false;
    }

    /// <summary>Reads an unsigned 64-bit varint. Returns false when the span ends first.</summary>
    public static bool TryReadUnsigned(ReadOnlySpan<byte> source, out ulong value, out int bytesRead)
    {
        ulong result = 0;
        for (var i = 0; i < MaxBytes64; i++)
        {
            if (i >= source.Length)
            {
                value = 0;
                bytesRead = 0;
                return false;
            }

            ulong b = source[i];
            if (i == MaxBytes64 - 1 && b > 0x01)
            {
                ThrowHelper.ThrowVarIntTooLong(i, MaxBytes64);
            }

            result |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                value = result;
                bytesRead = i + 1;
                return true;
            }
        }

        ThrowHelper.ThrowVarIntTooLong(0, MaxBytes64);
        value = 0;
        bytesRead = 0;
        return false;
    }

    /// <summary>Reads a zig-zag signed 32-bit varint.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out int value, out int bytesRead)
    {
        if (source.Length > 0 && source[0] < 0x80)
        {
            value = ZigZagDecode((uint)source[0]);
            bytesRead = 1;
            return true;
        }

        var ok = TryReadUnsigned(source, out uint raw, out bytesRead);
        value = ZigZagDecode(raw);
        return ok;
    }

    /// <summary>Reads a zig-zag signed 64-bit varint.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out long value, out int bytesRead)
    {
        if (source.Length > 0 && source[0] < 0x80)
        {
            value = ZigZagDecode((ulong)source[0]);
            bytesRead = 1;
            return true;
        }

        var ok = TryReadUnsigned(source, out ulong raw, out bytesRead);
        value = ZigZagDecode(raw);
        return ok;
    }

    /// <summary>Writes an unsigned varint; the destination must hold <see cref="SizeOfUnsigned(uint)"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteUnsigned(Span<byte> destination, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteUnsigned(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Write(Span<byte> destination, int value) => WriteUnsigned(destination, ZigZagEncode(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Write(Span<byte> destination, long value) => WriteUnsigned(destination, ZigZagEncode(value));
}
