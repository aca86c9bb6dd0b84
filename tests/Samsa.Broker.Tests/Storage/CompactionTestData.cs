using System.Text;
using Samsa.Broker.Storage;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Tests.Storage;

/// <summary>Keyed batches for compaction tests, and the records a log holds read back as (offset, key, value).</summary>
internal static class CompactionTestData
{
    /// <summary>A config for a compacted log with small segments, so a few appends roll several.</summary>
    public static LogConfig Compacted(int segmentBytes = 600) => new()
    {
        SegmentBytes = segmentBytes,
        Compact = true,
        Delete = false,
        IndexIntervalBytes = 100,
    };

    /// <summary>One batch of (key, value) records; a null value is a tombstone.</summary>
    public static byte[] Batch(long timestamp, CompressionType compression, params (string? Key, string? Value)[] records)
    {
        using var builder = new RecordBatchBuilder(compression);
        foreach (var (key, value) in records)
        {
            builder.Append(timestamp, Bytes(key), Bytes(value));
        }

        return builder.ToArray();
    }

    public static byte[] Batch(long timestamp, params (string? Key, string? Value)[] records) => Batch(timestamp, CompressionType.None, records);

    /// <summary>A transactional batch of (key, value) records from <paramref name="producerId"/>.</summary>
    public static byte[] TransactionalBatch(long producerId, long timestamp, params (string Key, string Value)[] records)
    {
        using var builder = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = 0, BaseSequence = 0, IsTransactional = true };
        foreach (var (key, value) in records)
        {
            builder.Append(timestamp, Bytes(key), Bytes(value));
        }

        return builder.ToArray();
    }

    /// <summary>Every record of the log from its start, as a consumer reads it, with each batch's CRC checked.</summary>
    public static List<(long Offset, string? Key, string? Value)> ReadRecords(PartitionLog log)
    {
        var records = new List<(long, string?, string?)>();
        foreach (var batch in ReadBatches(log))
        {
            if (batch.Header.IsControl)
            {
                continue;
            }

            records.AddRange(batch.ReadRecords().Select(r => (r.Offset, Text(r.Key), Text(r.Value))));
        }

        return records;
    }

    /// <summary>Every batch of the log from its start, read in steps as a consumer would.</summary>
    public static List<RecordBatch> ReadBatches(PartitionLog log, int maxBytes = 1_000)
    {
        var batches = new List<RecordBatch>();
        var next = log.LogStartOffset;
        while (next < log.LogEndOffset)
        {
            using var result = log.Read(next, maxBytes);
            TestBatches.Parse(result.Records);
            var reader = new RecordBatchReader(result.Records.ToArray());
            var before = batches.Count;
            while (reader.TryReadNext(out var batch))
            {
                Assert.True(batch.VerifyCrc(), $"bad CRC in the batch at {batch.Header.BaseOffset}");
                batches.Add(batch);
                next = batch.Header.LastOffset + 1;
            }

            Assert.True(batches.Count > before, $"no batch read at offset {next}");
        }

        return batches;
    }

    /// <summary>What a compaction of everything below <paramref name="cleanableEnd"/> leaves: there, the latest record of each key; above, everything.</summary>
    public static List<(long Offset, string? Key, string? Value)> Compacted(List<(long Offset, string? Key, string? Value)> records, long cleanableEnd)
    {
        var latest = records.Where(r => r.Offset < cleanableEnd).GroupBy(r => r.Key).ToDictionary(g => g.Key!, g => g.Max(r => r.Offset));
        return [.. records.Where(r => r.Offset >= cleanableEnd || latest[r.Key!] == r.Offset)];
    }

    // The cast matters: a bare null would become empty memory through the byte[] conversion.
    private static ReadOnlyMemory<byte>? Bytes(string? text) => text is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(text);

    private static string? Text(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Encoding.UTF8.GetString(b.Span) : null;
}
