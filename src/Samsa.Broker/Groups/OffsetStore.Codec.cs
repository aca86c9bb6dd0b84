using Samsa.Protocol.Records;

namespace Samsa.Broker.Groups;

/// <summary>Batches of <c>__consumer_offsets</c> through the shared record batch codec.</summary>
internal sealed partial class OffsetStore
{
    /// <summary>One uncompressed magic-2 batch, create-time timestamps, no producer (as Kafka's coordinator writes them).</summary>
    private static byte[] EncodeBatch(IReadOnlyList<GroupRecord> records, long timestamp)
    {
        using var builder = new RecordBatchBuilder(CompressionType.None, initialCapacity: 512);
        foreach (var record in records)
        {
            // A null value is a tombstone. The cast keeps it null: a bare null would become empty
            // memory through the byte[] conversion.
            var value = record.Value is { } bytes ? new ReadOnlyMemory<byte>(bytes) : (ReadOnlyMemory<byte>?)null;
            builder.Append(timestamp, record.Key, value);
        }

        return builder.ToArray();
    }

    private static IEnumerable<DecodedGroupBatch> DecodeBatches(ReadOnlyMemory<byte> batches)
    {
        var reader = new RecordBatchReader(batches);
        while (reader.TryReadNext(out var batch))
        {
            var header = batch.Header;
            var records = batch.ReadRecords();
            var isCommit = header.IsControl
                && records.Count > 0
                && records[0].Key is { } key
                && ControlRecord.TryReadType(key.Span, out var type)
                && type == ControlRecordType.Commit;
            yield return new DecodedGroupBatch(
                header.LastOffset,
                header.ProducerId,
                header.IsTransactional,
                header.IsControl,
                isCommit,
                records.Select(r => (r.Key?.ToArray(), r.Value?.ToArray())).ToList());
        }
    }
}
