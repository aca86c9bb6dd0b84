using System.Runtime.CompilerServices;

namespace Samsa.Protocol.Records;

/// <summary>
/// Zig-zag varints inside records, read at a moving position. Returns false for both a truncated
/// and an over-long encoding so the caller can report where in the batch it happened.
/// </summary>
internal static class RecordVarInt
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadInt32(ReadOnlySpan<byte> source, ref int position, out int value)
    {
        var p = position;
        if ((uint)p < (uint)source.Length && source[p] < 0x80)
        {
            value = VarInt.ZigZagDecode((uint)source[p]);
            position = p + 1;
            return true;
        }

        return TryReadInt32Slow(source, ref position, out value);
    }

    private static bool TryReadInt32Slow(ReadOnlySpan<byte> source, ref int position, out int value)
    {
        var p = position;
        uint result = 0;
        for (var i = 0; i < VarInt.MaxBytes32; i++, p++)
        {
            if ((uint)p >= (uint)source.Length)
            {
                break;
            }

            uint b = source[p];
            if (i == VarInt.MaxBytes32 - 1 && b > 0x0F)
            {
                break;
            }

            result |= (b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                value = VarInt.ZigZagDecode(result);
                position = p + 1;
                return true;
            }
        }

        value = 0;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadInt64(ReadOnlySpan<byte> source, ref int position, out long value)
    {
        var p = position;
        if ((uint)p < (uint)source.Length && source[p] < 0x80)
        {
            value = VarInt.ZigZagDecode((ulong)source[p]);
            position = p + 1;
            return true;
        }

        return TryReadInt64Slow(source, ref position, out value);
    }

    private static bool TryReadInt64Slow(ReadOnlySpan<byte> source, ref int position, out long value)
    {
        var p = position;
        ulong result = 0;
        for (var i = 0; i < VarInt.MaxBytes64; i++, p++)
        {
            if ((uint)p >= (uint)source.Length)
            {
                break;
            }

            ulong b = source[p];
            if (i == VarInt.MaxBytes64 - 1 && b > 0x01)
            {
                break;
            }

            result |= (b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                value = VarInt.ZigZagDecode(result);
                position = p + 1;
                return true;
            }
        }

        value = 0;
        return false;
    }
}
