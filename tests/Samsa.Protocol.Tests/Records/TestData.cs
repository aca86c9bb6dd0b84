using System.Buffers.Binary;
using System.Text;
using Samsa.Protocol.Records;
using Record = Samsa.Protocol.Records.Record;
using Snappier;

namespace Samsa.Protocol.Tests.Records;

/// <summary>Inputs shared by the record batch tests.</summary>
internal static class TestData
{
    public static readonly CompressionType[] AllCodecs =
        [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    public static TheoryData<CompressionType> Codecs => new(AllCodecs);

    public static TheoryData<CompressionType> CompressedCodecs => new(AllCodecs.Where(c => c != CompressionType.None));

    private static readonly string[] Words =
        ["kafka", "record", "batch", "offset", "partition", "leader", "epoch", "producer", "consumer", "{\"id\":", "\"value\":", "timestamp", "header", "\n"];

    /// <summary>Text-like bytes that compress a few times over, like typical payloads.</summary>
    public static byte[] Compressible(int length, int seed)
    {
        var random = new Random(seed);
        var builder = new StringBuilder(length + 16);
        while (builder.Length < length)
        {
            builder.Append(Words[random.Next(Words.Length)]).Append(random.Next(1000)).Append(' ');
        }

        return Encoding.ASCII.GetBytes(builder.ToString(0, length));
    }

    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Snappy-java ("xerial") framing built by hand from plain Snappier blocks.</summary>
    public static byte[] XerialFrame(ReadOnlySpan<byte> data, int chunkSize)
    {
        using var output = new MemoryStream();
        output.Write([0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0x00]);
        Span<byte> int32 = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(int32, 1);
        output.Write(int32);
        output.Write(int32);
        for (var start = 0; start < data.Length; start += chunkSize)
        {
            var block = Snappy.CompressToArray(data[start..Math.Min(data.Length, start + chunkSize)]);
            BinaryPrimitives.WriteInt32BigEndian(int32, block.Length);
            output.Write(int32);
            output.Write(block);
        }

        return output.ToArray();
    }

    /// <summary>A mix of the awkward cases: null and empty keys and values, headers with null and empty values, non-ASCII header keys.</summary>
    public static List<Record> MixedRecords(long baseOffset, long baseTimestamp, int count, int valueSize = 100)
    {
        var records = new List<Record>(count);
        for (var i = 0; i < count; i++)
        {
            ReadOnlyMemory<byte>? key = (i % 4) switch
            {
                0 => (ReadOnlyMemory<byte>?)null,
                1 => ReadOnlyMemory<byte>.Empty,
                _ => Encoding.UTF8.GetBytes($"key-{i}"),
            };
            ReadOnlyMemory<byte>? value = (i % 5) switch
            {
                0 => (ReadOnlyMemory<byte>?)null,
                1 => ReadOnlyMemory<byte>.Empty,
                _ => Compressible(valueSize + (i % 7), i),
            };
            RecordHeader[] headers = (i % 3) switch
            {
                0 => [],
                1 => [new RecordHeader("trace-id", Encoding.ASCII.GetBytes($"t{i}"))],
                _ => [new RecordHeader("null-value", null), new RecordHeader("empty", ReadOnlyMemory<byte>.Empty), new RecordHeader("clé-ü-日本", new byte[] { 1, 2, 3 })],
            };

            // Timestamps move backwards now and then: deltas from the base may be negative.
            var timestamp = baseTimestamp + (i * 3) - (i % 4 == 3 ? 7 : 0);
            records.Add(new Record(baseOffset + i, timestamp, key, value, headers));
            if ((i % 4 == 0 && key is not null) || (i % 5 == 0 && value is not null))
            {
                throw new InvalidOperationException("null key or value lost in the test data");
            }
        }

        return records;
    }

    public static byte[] Build(IEnumerable<Record> records, long baseOffset, CompressionType codec, Action<RecordBatchBuilder>? configure = null)
    {
        using var builder = new RecordBatchBuilder(codec) { BaseOffset = baseOffset };
        configure?.Invoke(builder);
        foreach (var record in records)
        {
            builder.Append(record);
        }

        return builder.ToArray();
    }

    public static void AssertSameRecords(IReadOnlyList<Record> expected, IReadOnlyList<Record> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var a = actual[i];
            Assert.Equal(e.Offset, a.Offset);
            Assert.Equal(e.Timestamp, a.Timestamp);
            AssertSameBytes(e.Key, a.Key);
            AssertSameBytes(e.Value, a.Value);
            Assert.Equal(e.Headers.Count, a.Headers.Count);
            for (var h = 0; h < e.Headers.Count; h++)
            {
                Assert.Equal(e.Headers[h].Key, a.Headers[h].Key);
                AssertSameBytes(e.Headers[h].Value, a.Headers[h].Value);
            }
        }
    }

    public static void AssertSameBytes(ReadOnlyMemory<byte>? expected, ReadOnlyMemory<byte>? actual)
    {
        Assert.Equal(expected is null, actual is null);
        if (expected is { } e && actual is { } a)
        {
            Assert.True(e.Span.SequenceEqual(a.Span), $"bytes differ: expected {e.Length} bytes, got {a.Length}");
        }
    }
}
