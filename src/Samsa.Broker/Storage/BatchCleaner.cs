using System.Buffers.Binary;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Storage;

/// <summary>
/// What log compaction keeps of one stored batch. A record stays when it is the latest of its key
/// (by the pass's <see cref="KeyOffsetMap"/>), has a key, and is not a tombstone whose delete
/// horizon passed. Offsets never change: a rewritten batch keeps its base offset, its records'
/// offsets and its last offset delta (so the log's offsets still rise from batch to batch), its
/// producer fields, timestamp type and codec; only its CRC is recomputed.
/// </summary>
internal static class BatchCleaner
{
    /// <summary>The batch to write in its place (the same array when nothing changed), or null to drop it; and how many records went.</summary>
    public readonly record struct Outcome(byte[]? Batch, int DroppedRecords);

    /// <summary>
    /// Adds the keys of <paramref name="batch"/> to <paramref name="map"/>. Control batches, aborted
    /// transactional batches and records without a key add nothing: they never decide what stays.
    /// </summary>
    public static void AddKeys(byte[] batch, KeyOffsetMap map, bool aborted)
    {
        var parsed = RecordBatch.Parse(batch);
        if (parsed.Header.IsControl || aborted)
        {
            return;
        }

        foreach (var record in parsed.ReadRecords())
        {
            if (record.Key is { } key)
            {
                map.Put(key.Span, record.Offset);
            }
        }
    }

    /// <summary>
    /// Filters one batch. Control batches (transaction markers) are kept whole; an aborted
    /// transactional batch goes whole. A kept tombstone gets a delete horizon of
    /// <paramref name="nowMs"/> + <paramref name="deleteRetentionMs"/> the first time its batch is
    /// cleaned (KIP-534), and goes in the first pass after that horizon.
    /// </summary>
    public static Outcome Clean(byte[] batch, KeyOffsetMap map, bool aborted, long nowMs, long deleteRetentionMs)
    {
        var parsed = RecordBatch.Parse(batch);
        var header = parsed.Header;
        if (header.IsControl)
        {
            return new Outcome(batch, 0);
        }

        if (aborted)
        {
            return new Outcome(null, header.RecordCount);
        }

        var records = parsed.ReadRecords();
        var kept = new List<Record>(records.Count);
        var keepsTombstone = false;
        foreach (var record in records)
        {
            if (!Retains(record, header, map, nowMs))
            {
                continue;
            }

            kept.Add(record);
            keepsTombstone |= record.Value is null;
        }

        var dropped = records.Count - kept.Count;
        if (kept.Count == 0)
        {
            return new Outcome(null, dropped);
        }

        var needsHorizon = keepsTombstone && !header.HasDeleteHorizon;
        if (dropped == 0 && !needsHorizon)
        {
            return new Outcome(batch, 0);
        }

        var horizon = !keepsTombstone ? -1 : header.HasDeleteHorizon ? header.BaseTimestamp : nowMs + deleteRetentionMs;
        return new Outcome(Rebuild(header, kept, horizon), dropped);
    }

    private static bool Retains(Record record, in RecordBatchHeader header, KeyOffsetMap map, long nowMs)
    {
        // Kafka refuses keyless records on compacted topics; any left from before the policy changed go.
        if (record.Key is not { } key)
        {
            return false;
        }

        if (map.TryGetLatest(key.Span, out var latest) && latest > record.Offset)
        {
            return false;
        }

        return record.Value is not null || !header.HasDeleteHorizon || nowMs < header.BaseTimestamp;
    }

    private static byte[] Rebuild(in RecordBatchHeader header, List<Record> kept, long deleteHorizonMs)
    {
        using var builder = new RecordBatchBuilder(header.Compression)
        {
            BaseOffset = header.BaseOffset,
            PartitionLeaderEpoch = header.PartitionLeaderEpoch,
            ProducerId = header.ProducerId,
            ProducerEpoch = header.ProducerEpoch,
            BaseSequence = header.BaseSequence,
            IsTransactional = header.IsTransactional,
            TimestampType = header.TimestampType,
            DeleteHorizonMs = deleteHorizonMs,
        };
        foreach (var record in kept)
        {
            builder.Append(record);
        }

        var rebuilt = builder.ToArray();

        // The builder ends the batch at its last kept record; the original end keeps the offsets
        // of the next batch following on, as Kafka's cleaner does.
        BinaryPrimitives.WriteInt32BigEndian(rebuilt.AsSpan(RecordBatchHeader.LastOffsetDeltaOffset), header.LastOffsetDelta);
        BatchCrc.Update(rebuilt);
        return rebuilt;
    }
}
