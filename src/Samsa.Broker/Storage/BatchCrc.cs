using System.Buffers.Binary;
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
        var crc = 0u;
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

        return crc == expected;
    }

    public static uint Compute(ReadOnlySpan<byte> data) => Crc32C.Compute(data);
}
