using System.Buffers.Binary;
using System.Numerics;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Storage;

/// <summary>
/// The CRC-32C of a magic-2 record batch: it covers everything from the attributes to the end, so
/// the base offset and the partition leader epoch can change without touching it.
/// </summary>
internal static class BatchCrc
{
    /// <summary>True when the CRC field of <paramref name="batch"/> (one whole batch) matches its bytes.</summary>
    public static bool IsValid(ReadOnlySpan<byte> batch) =>
        BinaryPrimitives.ReadUInt32BigEndian(batch[RecordBatchHeader.CrcOffset..]) == Compute(batch[RecordBatchHeader.CrcCoverageStart..]);

    /// <summary>Recomputes and writes the CRC field of one whole batch, after its attributes or timestamps changed.</summary>
    public static void Update(Span<byte> batch) =>
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchHeader.CrcOffset..], Compute(batch[RecordBatchHeader.CrcCoverageStart..]));

    /// <summary>
    /// True when the batch of <paramref name="totalSize"/> bytes at <paramref name="position"/> of
    /// <paramref name="file"/> has a matching CRC. Reads in chunks of <paramref name="scratch"/>, so a
    /// large (or corrupt, large-claiming) batch never needs a buffer of its size.
    /// </summary>
    public static bool IsValid(ILogFile file, long position, int totalSize, uint expected, byte[] scratch)
    {
        var crc = Crc32C.Seed;
        var next = position + RecordBatchHeader.CrcCoverageStart;
        var end = position + totalSize;
        while (next < end)
        {
            var chunk = scratch.AsSpan(0, (int)Math.Min(scratch.Length, end - next));
            if (file.Read(next, chunk) != chunk.Length)
            {
                return false;
            }

            crc = Crc32C.Append(crc, chunk);
            next += chunk.Length;
        }

        return Crc32C.Finish(crc) == expected;
    }

    public static uint Compute(ReadOnlySpan<byte> data) => Crc32C.Finish(Crc32C.Append(Crc32C.Seed, data));

    /// <summary>
    /// CRC-32C (Castagnoli) over <see cref="BitOperations.Crc32C(uint, ulong)"/>, which uses the CPU
    /// instruction where there is one. Stays private to storage until Samsa.Protocol has its own.
    /// </summary>
    private static class Crc32C
    {
        public const uint Seed = 0xFFFF_FFFF;

        public static uint Append(uint crc, ReadOnlySpan<byte> data)
        {
            while (data.Length >= sizeof(ulong))
            {
                crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[sizeof(ulong)..];
            }

            foreach (var b in data)
            {
                crc = BitOperations.Crc32C(crc, b);
            }

            return crc;
        }

        public static uint Finish(uint crc) => ~crc;
    }
}
