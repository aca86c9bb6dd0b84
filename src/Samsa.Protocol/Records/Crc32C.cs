using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Samsa.Protocol.Records;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of magic-2 record batches. Uses the CPU's CRC32C instruction
/// (SSE4.2 or ARMv8) through <see cref="BitOperations.Crc32C(uint, ulong)"/>, eight bytes per step,
/// over three interleaved streams for long inputs.
/// </summary>
public static class Crc32C
{
    // Long inputs are split into blocks of three equal lanes so that three independent CRC
    // instructions are in flight at once; the lanes are then joined with precomputed shift tables
    // (the CRC register update is linear, so a lane's contribution is moved past the following
    // lanes by multiplying it by x^(8 * lane length) modulo the polynomial).
    private const int LargeLane = 4096;
    private const int SmallLane = 256;

    private static readonly uint[] LargeShift = BuildShiftTable(LargeLane);
    private static readonly uint[] SmallShift = BuildShiftTable(SmallLane);

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(uint.MaxValue, data);

    /// <summary>
    /// Extends <paramref name="crc"/>, the CRC-32C of earlier bytes (0 for none), with <paramref name="data"/>:
    /// <c>Append(Compute(a), b) == Compute(a + b)</c>.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) => ~Update(~crc, data);

    /// <summary>Runs the raw CRC register (no pre/post inversion) over <paramref name="data"/>.</summary>
    private static uint Update(uint state, ReadOnlySpan<byte> data)
    {
        ref var start = ref MemoryMarshal.GetReference(data);
        nuint offset = 0;
        var length = (nuint)data.Length;

        if (length >= 3 * LargeLane)
        {
            state = Interleaved(state, ref start, ref offset, length, LargeLane, LargeShift);
        }

        if (length - offset >= 3 * SmallLane)
        {
            state = Interleaved(state, ref start, ref offset, length, SmallLane, SmallShift);
        }

        while (length - offset >= 8)
        {
            state = BitOperations.Crc32C(state, ReadUInt64(ref start, offset));
            offset += 8;
        }

        if (length - offset >= 4)
        {
            state = BitOperations.Crc32C(state, ReadUInt32(ref start, offset));
            offset += 4;
        }

        while (offset < length)
        {
            state = BitOperations.Crc32C(state, Unsafe.Add(ref start, offset));
            offset++;
        }

        return state;
    }

    private static uint Interleaved(uint state, ref byte start, ref nuint offset, nuint length, int lane, uint[] shift)
    {
        var laneLength = (nuint)lane;
        var block = 3 * laneLength;
        while (length - offset >= block)
        {
            uint a = state, b = 0, c = 0;
            var end = offset + laneLength;
            for (var p = offset; p < end; p += 8)
            {
                a = BitOperations.Crc32C(a, ReadUInt64(ref start, p));
                b = BitOperations.Crc32C(b, ReadUInt64(ref start, p + laneLength));
                c = BitOperations.Crc32C(c, ReadUInt64(ref start, p + 2 * laneLength));
            }

            state = Shift(shift, Shift(shift, a) ^ b) ^ c;
            offset += block;
        }

        return state;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Shift(uint[] table, uint value)
    {
        ref var t = ref MemoryMarshal.GetArrayDataReference(table);
        return Unsafe.Add(ref t, (int)(value & 0xFF))
            ^ Unsafe.Add(ref t, 256 + (int)((value >> 8) & 0xFF))
            ^ Unsafe.Add(ref t, 512 + (int)((value >> 16) & 0xFF))
            ^ Unsafe.Add(ref t, 768 + (int)(value >> 24));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ReadUInt64(ref byte start, nuint offset)
    {
        var value = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, offset));
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ReadUInt32(ref byte start, nuint offset)
    {
        var value = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, offset));
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    /// <summary>
    /// Four 256-entry tables giving, for each byte of a register value, the register after
    /// <paramref name="bytes"/> zero bytes have been fed through it.
    /// </summary>
    private static uint[] BuildShiftTable(int bytes)
    {
        Span<uint> basis = stackalloc uint[32];
        for (var bit = 0; bit < 32; bit++)
        {
            var value = 1u << bit;
            for (var i = 0; i < bytes; i += 8)
            {
                value = BitOperations.Crc32C(value, 0UL);
            }

            basis[bit] = value;
        }

        var table = new uint[4 * 256];
        for (var part = 0; part < 4; part++)
        {
            for (var b = 1; b < 256; b++)
            {
                var lowest = BitOperations.TrailingZeroCount(b);
                table[(part * 256) + b] = table[(part * 256) + (b & (b - 1))] ^ basis[(part * 8) + lowest];
            }
        }

        return table;
    }
}
