using System.Numerics;

namespace Samsa.Broker.Replication;

/// <summary>Stand-in until Samsa.Protocol.Records.Crc32C lands.</summary>
internal static class TempCrc32C
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc ^ 0xFFFFFFFFu;
    }
}
