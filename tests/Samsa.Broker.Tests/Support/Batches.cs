using System.Text;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Tests.Support;

/// <summary>Builds valid record batches for raw produce requests.</summary>
internal static class Batches
{
    public static byte[] Build(int records, long timestamp = 1_700_000_000_000, int valueSize = 10, CompressionType compression = CompressionType.None)
    {
        using var builder = new RecordBatchBuilder(compression);
        for (var i = 0; i < records; i++)
        {
            var value = Encoding.UTF8.GetBytes(new string((char)('a' + (i % 26)), valueSize));
            builder.Append(timestamp + i, Encoding.UTF8.GetBytes($"k{i}"), value);
        }

        return builder.ToArray();
    }
}
